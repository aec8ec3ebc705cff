using Edge.Gateway.Alarms;

namespace Edge.Tests.Alarms;

public sealed class ZoneClassifierTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private static readonly ZoneBands Dual4K7 = new();

    private static DateTimeOffset Ms(double ms) => T0.AddMilliseconds(ms);

    [Theory]
    [InlineData(0, ZoneState.Tamper)]
    [InlineData(999, ZoneState.Tamper)]
    [InlineData(4_700, ZoneState.Normal)]
    [InlineData(9_400, ZoneState.Alarm)]
    [InlineData(16_839, ZoneState.Alarm)]
    [InlineData(1e9, ZoneState.Cut)]
    [InlineData(double.PositiveInfinity, ZoneState.Cut)]
    public void Dual_4k7_bands_tell_the_four_states(double ohms, ZoneState state) => Assert.Equal(state, Dual4K7.Classify(ohms));

    [Fact]
    public void A_new_state_is_reported_only_after_it_held_for_the_dwell_time()
    {
        var zone = new ZoneClassifier(Dual4K7, 0.05, TimeSpan.FromMilliseconds(200));

        Assert.Null(zone.Read(9_400, Ms(0)));
        Assert.Null(zone.Read(9_400, Ms(150)));
        Assert.Equal(ZoneState.Alarm, zone.Read(9_400, Ms(200)));
        Assert.Null(zone.Read(9_400, Ms(250)));
        Assert.Equal(ZoneState.Alarm, zone.State);
    }

    [Fact]
    public void A_glitch_shorter_than_the_dwell_never_changes_the_state()
    {
        var zone = new ZoneClassifier(Dual4K7, 0.05, TimeSpan.FromMilliseconds(200));
        var changes = new List<ZoneState>();

        for (var t = 0; t < 2_000; t += 50)
        {
            // A 100 ms spike into the alarm band every second.
            var ohms = t % 1_000 < 100 ? 12_000 : 4_700;
            if (zone.Read(ohms, Ms(t)) is { } s)
            {
                changes.Add(s);
            }
        }

        Assert.Empty(changes);
    }

    [Fact]
    public void Noise_around_a_band_edge_does_not_flap_the_zone()
    {
        var zone = new ZoneClassifier(Dual4K7, 0.05, TimeSpan.FromMilliseconds(100));
        Assert.Null(zone.Read(9_000, Ms(0)));
        Assert.Equal(ZoneState.Alarm, zone.Read(9_000, Ms(100)));
        var changes = new List<ZoneState>();
        var random = new Random(3);

        // Readings wander ±3 % around the 6.67 kOhm edge, inside the 5 % hysteresis, for 10 s at 20 Hz.
        for (var t = 150; t < 10_150; t += 50)
        {
            if (zone.Read(6_670 * (1 + (random.NextDouble() - 0.5) * 0.06), Ms(t)) is { } s)
            {
                changes.Add(s);
            }
        }

        Assert.Empty(changes);
        Assert.Equal(ZoneState.Alarm, zone.State);
    }

    [Fact]
    public void A_clear_return_to_normal_is_reported_as_a_restore()
    {
        var zone = new ZoneClassifier(Dual4K7, 0.05, TimeSpan.FromMilliseconds(100), ZoneState.Alarm);

        Assert.Null(zone.Read(4_700, Ms(0)));
        Assert.Equal(ZoneState.Normal, zone.Read(4_700, Ms(100)));
    }

    [Fact]
    public void A_cut_wire_and_a_short_are_told_apart_from_an_alarm()
    {
        var zone = new ZoneClassifier(Dual4K7, 0.05, TimeSpan.Zero);

        Assert.Equal(ZoneState.Cut, zone.Read(double.PositiveInfinity, Ms(0)));
        Assert.Equal(ZoneState.Tamper, zone.Read(50, Ms(10)));
        Assert.Equal(ZoneState.Alarm, zone.Read(9_400, Ms(20)));
    }

    [Fact]
    public void Readings_that_are_not_numbers_are_ignored() =>
        Assert.Null(new ZoneClassifier(Dual4K7, 0.05, TimeSpan.Zero).Read(double.NaN, T0));

    [Theory]
    [InlineData(0, 6_670, 16_840)]
    [InlineData(7_000, 6_670, 16_840)]
    [InlineData(1_000, 17_000, 16_840)]
    public void Overlapping_bands_are_refused(double shortBelow, double alarmFrom, double openFrom)
    {
        var bands = new ZoneBands(shortBelow, alarmFrom, openFrom);

        Assert.NotNull(bands.Problem);
        Assert.Throws<ArgumentException>(() => new ZoneClassifier(bands, 0.05, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(1023, double.PositiveInfinity)]
    [InlineData(512, 4_709.2)]
    public void The_divider_turns_adc_counts_into_loop_ohms(int counts, double ohms)
    {
        var divider = new LoopDivider();

        Assert.Equal(ohms, divider.Ohms(counts), 1);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    [InlineData(int.MaxValue)]
    public void Adc_readings_out_of_range_are_not_numbers(int counts) => Assert.True(double.IsNaN(new LoopDivider().Ohms(counts)));

    [Theory]
    [InlineData(4_700)]
    [InlineData(9_400)]
    [InlineData(500)]
    public void Counts_and_ohms_round_trip_within_one_percent(double ohms)
    {
        var divider = new LoopDivider();

        var back = divider.Ohms(divider.Counts(ohms));

        Assert.InRange(back, ohms * 0.99, ohms * 1.01);
        Assert.Equal(Dual4K7.Classify(ohms), Dual4K7.Classify(back));
    }
}
