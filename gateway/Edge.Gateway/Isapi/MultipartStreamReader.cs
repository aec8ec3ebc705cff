using System.Text;

namespace Edge.Gateway.Isapi;

/// <summary>One part of a multipart stream: its headers (names lower-cased) and its body.</summary>
public sealed record MultipartPart(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? ContentType => Headers.GetValueOrDefault("content-type");
}

/// <summary>
/// Reads the parts of a long-lived <c>multipart/mixed</c> body as it arrives (an ISAPI alert stream): each part is a
/// boundary line, header lines, a blank line, and a body of <c>Content-Length</c> bytes or, without one, everything
/// up to the next boundary. It never trusts the stream: bytes before a boundary are skipped and counted, oversized
/// headers or bodies are skipped, and a broken part costs only itself, never the next one.
/// </summary>
public sealed class MultipartStreamReader
{
    private const int MaxHeaderBytes = 8 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _delimiter;
    private readonly int _maxBody;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _eof;

    public MultipartStreamReader(Stream stream, string boundary, int maxBody = 512 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrEmpty(boundary);
        _stream = stream;
        _delimiter = Encoding.ASCII.GetBytes("--" + boundary);
        _maxBody = maxBody;
    }

    /// <summary>Bytes that belonged to no part (noise, or parts that had to be skipped).</summary>
    public long SkippedBytes { get; private set; }

    /// <summary>Parts dropped because their headers or body were malformed or too large.</summary>
    public long BadParts { get; private set; }

    /// <summary>The boundary of a <c>multipart/...; boundary=...</c> content type, or null.</summary>
    public static string? Boundary(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        foreach (var parameter in contentType.Split(';', StringSplitOptions.TrimEntries))
        {
            if (parameter.StartsWith("boundary=", StringComparison.OrdinalIgnoreCase))
            {
                var value = parameter["boundary=".Length..].Trim('"');
                return value.Length is > 0 and <= 70 ? value : null;
            }
        }

        return null;
    }

    /// <summary>The next part; null at the end of the stream.</summary>
    public async Task<MultipartPart?> ReadPartAsync(CancellationToken ct)
    {
        while (true)
        {
            // Find the next boundary line; whatever comes before it is noise (or the tail of a skipped part).
            var at = await FindAsync(_delimiter, ct).ConfigureAwait(false);
            if (at < 0)
            {
                SkippedBytes += _end - _start;
                _start = _end;
                return null;
            }

            SkippedBytes += at - _start;
            _start = at + _delimiter.Length;
            if (!await EnsureAsync(2, ct).ConfigureAwait(false))
            {
                return null;
            }

            if (_buffer[_start] == '-' && _buffer[_start + 1] == '-')
            {
                // The closing boundary: a well-behaved stream ends here; a device may go on, so keep reading.
                _start += 2;
                continue;
            }

            var headerEnd = await FindAsync("\r\n\r\n"u8.ToArray(), ct, MaxHeaderBytes).ConfigureAwait(false);
            if (headerEnd < 0)
            {
                if (_eof)
                {
                    return null;
                }

                BadParts++;
                continue;
            }

            var headers = ParseHeaders(Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start));
            _start = headerEnd + 4;
            var body = await ReadBodyAsync(headers, ct).ConfigureAwait(false);
            if (body is null)
            {
                BadParts++;
                continue;
            }

            return new MultipartPart(headers, body);
        }
    }

    private async Task<byte[]?> ReadBodyAsync(Dictionary<string, string> headers, CancellationToken ct)
    {
        if (headers.TryGetValue("content-length", out var text))
        {
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) || length > _maxBody)
            {
                return null;
            }

            if (!await EnsureAsync(length, ct).ConfigureAwait(false))
            {
                return null;
            }

            // A length that lies long would swallow the parts behind it: a body with a boundary line inside is
            // dropped, and the search for the next boundary starts inside what it claimed, so only this part is lost.
            if (_buffer.AsSpan(_start, length).IndexOf(_delimiter) >= 0)
            {
                return null;
            }

            var body = _buffer.AsSpan(_start, length).ToArray();
            _start += length;
            return body;
        }

        // No length: the body runs to the CRLF before the next boundary.
        var next = await FindAsync(_delimiter, ct, _maxBody + _delimiter.Length + 2).ConfigureAwait(false);
        if (next < 0 && _eof && _end > _start)
        {
            // The connection closed after the part: what came is its body (a cut one will not parse, and is counted).
            next = _end;
        }
        else if (next < 0)
        {
            return null;
        }

        var end = next;
        if (end - _start >= 2 && _buffer[end - 2] == '\r' && _buffer[end - 1] == '\n')
        {
            end -= 2;
        }

        var result = _buffer.AsSpan(_start, end - _start).ToArray();
        _start = next;
        return result;
    }

    private static Dictionary<string, string> ParseHeaders(string block)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in block.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        return headers;
    }

    /// <summary>
    /// The buffer index of the next <paramref name="pattern"/> from the read position, reading more as needed; -1 at
    /// the end of the stream, or when it is not within <paramref name="limit"/> bytes (then the bytes are skipped).
    /// </summary>
    private async Task<int> FindAsync(byte[] pattern, CancellationToken ct, int limit = int.MaxValue)
    {
        var searched = 0;
        while (true)
        {
            var window = _buffer.AsSpan(_start + searched, _end - _start - searched);
            var i = window.IndexOf(pattern);
            if (i >= 0)
            {
                return _start + searched + i;
            }

            searched = Math.Max(0, _end - _start - pattern.Length + 1);
            if (searched > limit)
            {
                SkippedBytes += searched;
                _start += searched;
                return -1;
            }

            if (!await FillAsync(ct).ConfigureAwait(false))
            {
                if (_eof)
                {
                    return -1;
                }

                // The buffer is full of bytes without the pattern: they are noise; drop them and read on.
                SkippedBytes += searched;
                _start += searched;
                limit -= searched;
                searched = 0;
            }
        }
    }

    private async Task<bool> EnsureAsync(int count, CancellationToken ct)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(ct).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxBody + MaxHeaderBytes + (64 * 1024)));
            }
        }

        if (_end == _buffer.Length)
        {
            // Full even after compacting and growing to the bound: the caller's limit decides what to skip.
            return false;
        }

        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
        if (n == 0)
        {
            _eof = true;
            return false;
        }

        _end += n;
        return true;
    }
}
