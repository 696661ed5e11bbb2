// Keep the SDK and metrics libraries from probing instance metadata during tests.
process.env.AWS_EMF_ENVIRONMENT ??= 'Local';
process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
