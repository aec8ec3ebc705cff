namespace Edge.Gateway.Access;

/// <summary>Card formats and keypad frames a Wiegand reader sends.</summary>
public enum WiegandFormat
{
    /// <summary>26-bit: facility code 8 bits, card number 16 bits.</summary>
    H10301,

    /// <summary>34-bit: facility code 16 bits, card number 16 bits.</summary>
    H10306,

    /// <summary>37-bit with facility: facility code 16 bits, card number 19 bits.</summary>
    H10304,

    /// <summary>37-bit without facility: card number 35 bits.</summary>
    H10302,

    /// <summary>One keypad key, 4 bits.</summary>
    Keypad4,

    /// <summary>One keypad key, 8 bits: the high nibble is the complement of the low one.</summary>
    Keypad8,
}

/// <summary>What one Wiegand frame meant: a card, a key, or why it is not valid.</summary>
public readonly record struct WiegandRead(WiegandFormat? Format, long? Facility, long? Card, int? Key, string? Error)
{
    public bool IsCard => Card is not null;

    public bool IsKey => Key is not null;

    public static WiegandRead Invalid(string error) => new(null, null, null, null, error);
}

/// <summary>
/// Decodes Wiegand frames (bit 0 = the first bit sent) in the formats of ../shared/reference/field-facts.md, with
/// both parity bits checked. A frame with bad parity or an unknown length is never a card read: it is an error the
/// caller counts. 37-bit frames are H10304 or H10302 by configuration (their parity is laid out the same way).
/// </summary>
public static class WiegandDecoder
{
    /// <summary>The longest frame worth looking at; anything longer is line noise.</summary>
    public const int MaxBits = 64;

    public static WiegandRead Decode(ReadOnlySpan<bool> bits, WiegandFormat format37 = WiegandFormat.H10304)
    {
        if (format37 is not (WiegandFormat.H10304 or WiegandFormat.H10302))
        {
            throw new ArgumentOutOfRangeException(nameof(format37), format37, "37-bit frames are H10304 or H10302");
        }

        return bits.Length switch
        {
            4 => new WiegandRead(WiegandFormat.Keypad4, null, null, (int)Field(bits, 0, 4), null),
            8 => Keypad8(bits),
            26 => Card(bits, WiegandFormat.H10301, evenTo: 12, oddFrom: 13, facility: (1, 8), card: (9, 16)),
            34 => Card(bits, WiegandFormat.H10306, evenTo: 16, oddFrom: 17, facility: (1, 16), card: (17, 16)),
            37 when format37 == WiegandFormat.H10304 => Card(bits, WiegandFormat.H10304, evenTo: 18, oddFrom: 18, facility: (1, 16), card: (17, 19)),
            37 => Card(bits, WiegandFormat.H10302, evenTo: 18, oddFrom: 18, facility: null, card: (1, 35)),
            0 => WiegandRead.Invalid("empty frame"),
            > MaxBits => WiegandRead.Invalid($"{bits.Length} bits: longer than any format"),
            _ => WiegandRead.Invalid($"{bits.Length} bits: no known format"),
        };
    }

    /// <summary>Encodes a card the way a reader sends it, parity included (the simulator's readers use this).</summary>
    public static bool[] Encode(WiegandFormat format, long facility, long card)
    {
        var (length, evenTo, oddFrom, f, c) = format switch
        {
            WiegandFormat.H10301 => (26, 12, 13, ((int, int)?)(1, 8), (9, 16)),
            WiegandFormat.H10306 => (34, 16, 17, (1, 16), (17, 16)),
            WiegandFormat.H10304 => (37, 18, 18, (1, 16), (17, 19)),
            WiegandFormat.H10302 => (37, 18, 18, null, (1, 35)),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a card format"),
        };
        var bits = new bool[length];
        if (f is { } fac)
        {
            Put(bits, fac.Item1, fac.Item2, facility);
        }

        Put(bits, c.Item1, c.Item2, card);
        bits[0] = Ones(bits, 1, evenTo) % 2 == 1;
        bits[^1] = Ones(bits, oddFrom, length - 2) % 2 == 0;
        return bits;
    }

    /// <summary>The bits of one keypad key in the 8-bit format.</summary>
    public static bool[] EncodeKey8(int key)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)key, 15u, nameof(key));
        var bits = new bool[8];
        Put(bits, 0, 4, ~key & 0xF);
        Put(bits, 4, 4, key);
        return bits;
    }

    private static WiegandRead Keypad8(ReadOnlySpan<bool> bits)
    {
        var high = Field(bits, 0, 4);
        var low = Field(bits, 4, 4);
        return high == (~low & 0xF)
            ? new WiegandRead(WiegandFormat.Keypad8, null, null, (int)low, null)
            : WiegandRead.Invalid("8-bit keypad frame whose high nibble is not the complement of the low one");
    }

    private static WiegandRead Card(ReadOnlySpan<bool> bits, WiegandFormat format, int evenTo, int oddFrom, (int From, int Count)? facility, (int From, int Count) card)
    {
        // Even parity: bit 0 plus the bits it covers hold an even number of ones. Odd: the last bit plus its bits, odd.
        if ((Ones(bits, 1, evenTo) + (bits[0] ? 1 : 0)) % 2 != 0)
        {
            return WiegandRead.Invalid($"{format}: leading (even) parity does not match");
        }

        if ((Ones(bits, oddFrom, bits.Length - 2) + (bits[^1] ? 1 : 0)) % 2 != 1)
        {
            return WiegandRead.Invalid($"{format}: trailing (odd) parity does not match");
        }

        return new WiegandRead(format, facility is { } f ? Field(bits, f.From, f.Count) : null, Field(bits, card.From, card.Count), null, null);
    }

    private static int Ones(ReadOnlySpan<bool> bits, int from, int to)
    {
        var n = 0;
        for (var i = from; i <= to; i++)
        {
            n += bits[i] ? 1 : 0;
        }

        return n;
    }

    private static long Field(ReadOnlySpan<bool> bits, int from, int count)
    {
        long value = 0;
        for (var i = from; i < from + count; i++)
        {
            value = (value << 1) | (bits[i] ? 1L : 0L);
        }

        return value;
    }

    private static void Put(bool[] bits, int from, int count, long value)
    {
        if (value < 0 || (count < 63 && value >= 1L << count))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit in {count} bits");
        }

        for (var i = 0; i < count; i++)
        {
            bits[from + i] = ((value >> (count - 1 - i)) & 1) == 1;
        }
    }
}
