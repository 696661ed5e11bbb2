module.exports = eval("require")("./servers/");
