using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Simulator.Devices;

/// <summary>
/// HTTP digest authentication as the devices do it (RFC 7616, MD5, qop=auth): a request is let through with a valid
/// response to a challenge this server gave, or answered 401 with a fresh challenge.
/// </summary>
internal sealed class HttpDigest(string realm)
{
    private readonly ConcurrentDictionary<string, byte> _nonces = new();

    /// <summary>HTTP digest (RFC 7616, MD5, qop=auth), as the devices do it; a 401 with a fresh challenge otherwise.</summary>
    public bool Authorized(HttpListenerContext http, SimHttpDevice sim)
    {
        var header = http.Request.Headers["Authorization"] ?? "";
        if (header.StartsWith("Digest ", StringComparison.OrdinalIgnoreCase))
        {
            var p = DigestParameters(header[7..]);
            if (p.TryGetValue("username", out var user) && user == sim.User
                && p.TryGetValue("nonce", out var nonce) && _nonces.ContainsKey(nonce)
                && p.TryGetValue("uri", out var uri) && p.TryGetValue("response", out var response)
                && p.TryGetValue("nc", out var nc) && p.TryGetValue("cnonce", out var cnonce))
            {
                var ha1 = Md5($"{sim.User}:{realm}:{sim.Password}");
                var ha2 = Md5($"{http.Request.HttpMethod}:{uri}");
                if (string.Equals(response, Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}"), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        var fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        if (_nonces.Count > 100_000)
        {
            // A client that keeps failing must not grow the server without bound: old challenges simply expire.
            _nonces.Clear();
        }

        _nonces[fresh] = 0;
        http.Response.StatusCode = 401;
        http.Response.AddHeader("WWW-Authenticate", $"Digest realm=\"{realm}\", qop=\"auth\", nonce=\"{fresh}\", algorithm=MD5");
        return false;
    }

    private static Dictionary<string, string> DigestParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[item[..eq].Trim()] = item[(eq + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }

#pragma warning disable CA5351 // HTTP digest is defined over MD5; the simulated devices speak it as the real ones do.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351
}
