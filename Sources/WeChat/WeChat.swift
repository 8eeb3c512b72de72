// WeChat: clients for the WeChat mini-program server API (code2Session login,
// the AppID's access token, getPhoneNumber) and WeChat Pay API v3 (request
// signing, JSAPI prepay, wx.requestPayment parameters, signed and encrypted
// payment notifications), plus sandboxes that run the same code paths with
// local keys and no network. Protocol reference:
// shared/reference/wechat-protocols.md sections 0–3 and 5.
// Must not import Engine, Net, Archive, Hummingbird or PostgresNIO: callers
// (Net, mall) adapt these types to engine commands.
