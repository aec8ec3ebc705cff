namespace Edge.Simulator.Scenarios;

/// <summary>
/// How busy a residential community is through the day, as a factor on a daily mean rate (the factors average 1).
/// Quiet at night, a morning peak when residents leave (07:00-09:00), steady in the day, an evening peak when they come
/// home (18:00-20:00). Card swipes follow it closely; alarm presses and zone alarms follow it loosely.
/// </summary>
public static class DailyCurve
{
    // One factor per hour, 00:00 to 23:00; normalised below so the mean is exactly 1.
    private static readonly double[] Raw =
    [
        0.15, 0.10, 0.08, 0.08, 0.10, 0.30, 1.00, 2.60, 2.40, 1.10, 0.90, 1.00,
        1.20, 1.00, 0.90, 0.90, 1.10, 1.60, 2.20, 2.00, 1.40, 0.90, 0.50, 0.25,
    ];

    private static readonly double[] Factors = Raw.Select(f => f * Raw.Length / Raw.Sum()).ToArray();

    /// <summary>The factor at a time of day, linear between the hours.</summary>
    public static double At(TimeSpan timeOfDay)
    {
        var hours = timeOfDay.TotalHours % 24;
        var h = (int)hours;
        var next = Factors[(h + 1) % 24];
        return Factors[h] + ((next - Factors[h]) * (hours - h));
    }

    /// <summary>Events per simulated second at a time of day, for a mean of <paramref name="perDay"/> a day.</summary>
    public static double PerSecond(double perDay, TimeSpan timeOfDay) => perDay / 86_400 * At(timeOfDay);
}
