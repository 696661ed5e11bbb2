// Node module hook: lets a package import JSON without `with { type: 'json' }`, as
// @actions/workflow-parser does (bundlers accept it; Node 20 and later refuse it).
export async function load(url, context, next) {
  if (url.endsWith('.json') && context.importAttributes?.type !== 'json') {
    return next(url, {
      ...context,
      importAttributes: { ...context.importAttributes, type: 'json' },
    });
  }
  return next(url, context);
}
