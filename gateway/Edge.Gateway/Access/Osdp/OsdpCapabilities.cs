namespace Edge.Gateway.Access.Osdp;

/// <summary>What a reader says it can do in osdp_PDCAP (function code, compliance, number; three bytes each).</summary>
public sealed record OsdpCapabilities(int Inputs, bool Led, bool Buzzer, bool SecureChannel)
{
    public static readonly OsdpCapabilities None = new(0, false, false, false);

    public static OsdpCapabilities Parse(ReadOnlySpan<byte> data)
    {
        var result = None;
        for (var i = 0; i + 3 <= data.Length; i += 3)
        {
            var (function, compliance, number) = (data[i], data[i + 1], data[i + 2]);
            result = function switch
            {
                1 => result with { Inputs = number },
                4 => result with { Led = compliance != 0 },
                5 => result with { Buzzer = compliance != 0 },
                9 => result with { SecureChannel = (compliance & 0x01) != 0 },
                _ => result,
            };
        }

        return result;
    }
}
