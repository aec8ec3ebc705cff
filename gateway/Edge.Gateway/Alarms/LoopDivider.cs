namespace Edge.Gateway.Alarms;

/// <summary>
/// The zone loop read as a voltage divider into an ADC: the loop resistance sits between the ADC input and ground,
/// a pull-up resistor between the input and the reference. counts = full scale * R / (R + pull-up).
/// </summary>
public sealed record LoopDivider(double PullUpOhms = 4_700, int FullScale = 1023)
{
    /// <summary>
    /// The loop resistance for an ADC reading. Full scale means an open loop (infinite); readings outside 0..full
    /// scale are not readings at all and give NaN, for the caller to report as a fault.
    /// </summary>
    public double Ohms(int counts)
    {
        if (counts < 0 || counts > FullScale)
        {
            return double.NaN;
        }

        return counts == FullScale ? double.PositiveInfinity : PullUpOhms * counts / (FullScale - counts);
    }

    /// <summary>The ADC reading a loop of <paramref name="ohms"/> gives (for simulators and tests).</summary>
    public int Counts(double ohms) =>
        double.IsPositiveInfinity(ohms) ? FullScale : (int)Math.Round(FullScale * ohms / (ohms + PullUpOhms));
}
