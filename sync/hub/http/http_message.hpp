#pragma once
// Transport-neutral HTTP request and response for the hub's routes: handlers see neither Beast nor sockets,
// so the server underneath can change and handlers stay testable with plain structs.

#include <any>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::hub::http {

/// ASCII case-insensitive ordering, for header names.
struct CaseInsensitiveLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
};

using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
using Params = std::multimap<std::string, std::string, std::less<>>;

/// Who the server authenticated from the headers before it read the body (routes that declare a scope).
struct Principal {
    std::string subject;  ///< the key rate limits count against (a token's name)
    std::string scope;
    std::any detail;      ///< what the authenticator wants handlers to see (the hub: its TokenRecord)
};

struct Request {
    std::string method;   ///< "GET", "POST", ...
    std::string target;   ///< as sent: path and query
    std::string path;     ///< decoded path, without the query
    Params params;        ///< query parameters, and the fields of an application/x-www-form-urlencoded body
    Headers headers;
    std::string body;     ///< already inflated when it came with Content-Encoding: gzip
    std::string remoteAddress;  ///< the client (X-Forwarded-For only from a trusted proxy)
    std::map<std::string, std::string, std::less<>> captures;  ///< {name} segments of the route pattern
    std::optional<Principal> principal;

    bool hasHeader(std::string_view name) const { return headers.find(name) != headers.end(); }
    /// The first value of a header, "" when absent.
    std::string header(std::string_view name) const;
    bool hasParam(std::string_view name) const { return params.find(name) != params.end(); }
    /// The first value of a parameter, "" when absent.
    std::string param(std::string_view name) const;
    /// A path capture, "" when the route has none of that name.
    std::string capture(std::string_view name) const;
};

/// Fills `chunk` with the next piece of a streamed body. Returns false to abort the response (the client
/// sees a truncated transfer); sets `done` after the last piece. Runs on a worker thread, one call at a time.
using BodyProducer = std::function<bool(std::string& chunk, bool& done)>;

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    std::string contentType;
    /// Set for bodies too large to hold (exports): sent chunked, one piece per call.
    BodyProducer producer;

    void setHeader(std::string name, std::string value);
    void setContent(std::string text, std::string type);
    /// 303 with Location.
    void redirect(const std::string& to, int code = 303);
    /// `{"error": message}` with the status.
    void error(int code, const std::string& message);
    void streamed(std::string type, BodyProducer next);
};

/// Decodes %XX (and '+' as a space when `plusIsSpace`); nullopt on a malformed escape.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace);
/// Parses "a=1&b=2" into `out`; at most `maxPairs`. False on a malformed escape or too many pairs.
bool parseQuery(std::string_view text, Params& out, std::size_t maxPairs = 256);

}  // namespace touchpoint::hub::http
