module.exports = eval("require")("../../../checker/dist");
