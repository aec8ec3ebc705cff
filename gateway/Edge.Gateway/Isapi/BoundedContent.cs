namespace Edge.Gateway.Isapi;

/// <summary>
/// Reads an HTTP body from a device with a bound on its size, whatever the device claims: a declared length over the
/// bound is refused before reading, and a body without one stops being read at the bound. Shared by the devices'
/// clients (ISAPI event log pages, ONVIF answers, snapshots).
/// </summary>
public static class BoundedContent
{
    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, long maxBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var streamDisposal = stream.ConfigureAwait(false);
        using var body = new MemoryStream();
        var chunk = new byte[(int)Math.Min(maxBytes + 1, 64 * 1024)];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (body.Length + n > maxBytes)
            {
                return null;
            }

            body.Write(chunk, 0, n);
        }

        return body.ToArray();
    }
}
