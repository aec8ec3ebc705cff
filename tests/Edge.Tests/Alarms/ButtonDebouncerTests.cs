using Edge.Gateway.Alarms;

namespace Edge.Tests.Alarms;

public sealed class ButtonDebouncerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);

    private static DateTimeOffset Ms(double ms) => T0.AddMilliseconds(ms);

    /// <summary>A normally-open button on a pulled-up input: resting high, pressed low.</summary>
    private static ButtonDebouncer Button(TimeSpan? duress = null) =>
        new(new ButtonWiring(), Debounce, duress, TimeSpan.FromSeconds(60), restingLevel: true, T0);

    [Theory]
    [InlineData(ContactType.NormallyOpen, InputPull.Up, false)]
    [InlineData(ContactType.NormallyClosed, InputPull.Up, true)]
    [InlineData(ContactType.NormallyOpen, InputPull.Down, true)]
    [InlineData(ContactType.NormallyClosed, InputPull.Down, false)]
    public void The_pressed_level_follows_contact_and_pull(ContactType contact, InputPull pull, bool pressedHigh) =>
        Assert.Equal(pressedHigh, new ButtonWiring(contact, pull).PressedLevel);

    [Fact]
    public void A_press_counts_once_the_level_has_held_for_the_debounce_time_and_is_dated_at_its_first_edge()
    {
        var button = Button();

        Assert.Empty(button.OnLevel(false, Ms(100)));
        Assert.Empty(button.Tick(Ms(129)));
        var signals = button.Tick(Ms(130));

        Assert.Equal([new ButtonSignal(ButtonSignalKind.Pressed, Ms(100))], signals);
        Assert.True(button.IsPressed);
    }

    [Fact]
    public void Contact_bounce_never_makes_an_event()
    {
        var button = Button();
        var signals = new List<ButtonSignal>();

        // 20 ms of chatter, each level shorter than the debounce time, ending where it began.
        for (var t = 100; t < 120; t += 2)
        {
            signals.AddRange(button.OnLevel(t % 4 != 0, Ms(t)));
        }

        signals.AddRange(button.OnLevel(true, Ms(121)));
        signals.AddRange(button.Tick(Ms(1000)));

        Assert.Empty(signals);
        Assert.False(button.IsPressed);
    }

    [Fact]
    public void A_bouncy_press_is_one_press_dated_at_the_last_bounce()
    {
        var button = Button();
        var signals = new List<ButtonSignal>();
        signals.AddRange(button.OnLevel(false, Ms(100)));
        signals.AddRange(button.OnLevel(true, Ms(103)));
        signals.AddRange(button.OnLevel(false, Ms(105)));
        signals.AddRange(button.Tick(Ms(200)));
        signals.AddRange(button.OnLevel(true, Ms(900)));
        signals.AddRange(button.Tick(Ms(1000)));

        Assert.Equal(
            [new ButtonSignal(ButtonSignalKind.Pressed, Ms(105)), new ButtonSignal(ButtonSignalKind.Released, Ms(900))],
            signals);
    }

    [Fact]
    public void An_edge_settles_the_previous_level_even_without_a_tick()
    {
        var button = Button();
        button.OnLevel(false, Ms(100));

        var signals = button.OnLevel(true, Ms(500));

        Assert.Equal([new ButtonSignal(ButtonSignalKind.Pressed, Ms(100))], signals);
    }

    [Fact]
    public void A_long_press_signals_duress_once_and_a_held_button_is_reported_stuck_once()
    {
        var button = Button(duress: TimeSpan.FromSeconds(3));
        button.OnLevel(false, Ms(0));
        button.Tick(Ms(50));

        Assert.Equal(Ms(3000), button.NextDeadline);
        Assert.Equal([new ButtonSignal(ButtonSignalKind.Duress, Ms(3000))], button.Tick(Ms(3001)));
        Assert.Empty(button.Tick(Ms(4000)));
        Assert.Equal(Ms(60_000), button.NextDeadline);
        Assert.Equal([new ButtonSignal(ButtonSignalKind.Stuck, Ms(60_000))], button.Tick(Ms(61_000)));
        Assert.Empty(button.Tick(Ms(120_000)));
        Assert.Null(button.NextDeadline);
    }

    [Fact]
    public void A_button_found_pressed_at_start_is_reported()
    {
        var button = new ButtonDebouncer(new ButtonWiring(), Debounce, null, TimeSpan.FromSeconds(60), restingLevel: false, T0);

        Assert.Equal([new ButtonSignal(ButtonSignalKind.Pressed, T0)], button.Tick(Ms(40)));
    }

    [Fact]
    public void A_duress_time_outside_debounce_and_stuck_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ButtonDebouncer(new ButtonWiring(), Debounce, TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(60), true, T0));
}
