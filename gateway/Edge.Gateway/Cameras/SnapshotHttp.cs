using System.Net;

namespace Edge.Gateway.Cameras;

/// <summary>Fetching a camera's snapshot over HTTP (digest authentication through the client's credentials), checked and bounded.</summary>
public static class SnapshotHttp
{
    /// <summary>
    /// GETs <paramref name="uri"/>: the body must start as a JPEG does (FF D8 FF) and be at most
    /// <paramref name="maxBytes"/>; reading stops at the limit, so a camera cannot make the gateway hold more.
    /// </summary>
    public static async Task<byte[]> GetJpegAsync(HttpClient http, Uri uri, int maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(uri);
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new SnapshotException($"http-{(int)response.StatusCode}", response.StatusCode == HttpStatusCode.Unauthorized ? "credentials refused" : uri.AbsolutePath);
            }

            var bytes = await Isapi.BoundedContent.ReadAsync(response.Content, maxBytes, ct).ConfigureAwait(false)
                ?? throw new SnapshotException("too-large", $"{response.Content.Headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "more than " + maxBytes} bytes, over {maxBytes}");
            return bytes is [0xFF, 0xD8, 0xFF, ..] ? bytes : throw new SnapshotException("not-jpeg", $"{bytes.Length} bytes of {response.Content.Headers.ContentType}");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new SnapshotException("unreachable", ex.Message);
        }
    }
}
