using System.Text;

namespace Edge.Gateway.Outbox;

/// <summary>
/// One string for each distinct text that rows repeat (a lane's topics and event types: a gateway has a fixed set of
/// devices), so reading a million rows does not make a million copies of the same few hundred strings. Bounded: past
/// <paramref name="capacity"/> distinct texts, new ones are made each time and not kept. Not thread-safe.
/// </summary>
internal sealed class RepeatedStrings(int capacity)
{
    /// <summary>Texts longer than this (in UTF-8 bytes) are not looked up: no topic or type is.</summary>
    private const int MaxBytes = 512;
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public int Count => _strings.Count;

    public string Of(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxBytes];
        var text = chars[..Encoding.UTF8.GetChars(utf8, chars)];
        if (_strings.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out var known))
        {
            return known;
        }

        var made = new string(text);
        if (_strings.Count < capacity)
        {
            _strings[made] = made;
        }

        return made;
    }
}
