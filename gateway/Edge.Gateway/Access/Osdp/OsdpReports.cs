using System.Buffers.Binary;

namespace Edge.Gateway.Access.Osdp;

/// <summary>Reads the card reports of OSDP 2.2 without trusting their lengths.</summary>
public static class OsdpReports
{
    /// <summary>osdp_RAW: reader, format, bit count (LSB first), the bits packed MSB first. Null when it does not add up.</summary>
    public static bool[]? RawBits(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        if (count is 0 or > WiegandDecoder.MaxBits || data.Length < 4 + ((count + 7) / 8))
        {
            return null;
        }

        var bits = new bool[count];
        for (var i = 0; i < count; i++)
        {
            bits[i] = (data[4 + (i / 8)] & (0x80 >> (i % 8))) != 0;
        }

        return bits;
    }

    /// <summary>osdp_FMT: reader, read direction, character count, the card number as ASCII digits. Null unless 1-20 digits.</summary>
    public static string? FormattedNumber(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3 || data[2] is 0 or > 20 || data.Length < 3 + data[2])
        {
            return null;
        }

        var chars = data.Slice(3, data[2]);
        foreach (var c in chars)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return null;
            }
        }

        return System.Text.Encoding.ASCII.GetString(chars);
    }
}
