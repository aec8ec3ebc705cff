namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// OSDP's integrity checks: CRC-16 with polynomial 0x1021 and initial value 0x1D0F (CRC-16/AUG-CCITT), sent least
/// significant byte first; or, for old devices, an 8-bit checksum (the two's complement of the byte sum).
/// </summary>
public static class OsdpChecks
{
    private static readonly ushort[] Table = BuildTable();

    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0x1D0F;
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    public static byte Checksum(ReadOnlySpan<byte> data)
    {
        var sum = 0;
        foreach (var b in data)
        {
            sum += b;
        }

        return (byte)(-sum & 0xFF);
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
