using System.Text;

namespace Edge.Simulator.Devices;

/// <summary>Bad data a broken or hostile device sends: random bytes, near-miss messages, overlong lines.</summary>
public static class Garbage
{
    private static readonly string[] NearMisses =
    [
        "LEVEL", "LEVEL 17", "LEVEL 17 2", "LEVEL -1 0", "LEVEL 99999 1", "ADC 0", "ADC 0 -5", "ADC 0 70000", "ADC x 1",
        "READY now", "HELLO 1 c001", "OUT 17 1", "PING PING", "level 17 0", "LEVEL 17 0 0 0", "LEVEL 17 0 now", "LEVEL 17 0 -1", "OUT 17 1 5", "LEVEL\t17\t0", "",
    ];

    /// <summary>One line ending in LF that is not a valid message from the simulator.</summary>
    public static byte[] Line(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        switch (random.Next(3))
        {
            case 0:
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                for (var i = 0; i < bytes.Length; i++)
                {
                    // No LF inside: one garbage line, not several (some of which might happen to be valid).
                    bytes[i] = bytes[i] == (byte)'\n' ? (byte)'?' : bytes[i];
                }

                return [.. bytes, (byte)'\n'];
            case 1:
                return Encoding.ASCII.GetBytes(NearMisses[random.Next(NearMisses.Length)] + "\n");
            default:
                return Encoding.ASCII.GetBytes(new string('L', random.Next(129, 4000)) + "\n");
        }
    }
}
