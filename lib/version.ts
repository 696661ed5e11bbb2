// natfleet's release version; scripts/release.mjs sets it with package.json's (a test holds
// them equal). The bundles carry it, so `natfleet --version` needs no package.json beside them.
export const VERSION = '0.1.0';
