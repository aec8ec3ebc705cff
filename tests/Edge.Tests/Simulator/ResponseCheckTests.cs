using Edge.Contracts.Commands;
using Edge.Simulator.Station;

namespace Edge.Tests.Simulator;

/// <summary>The station's bookkeeping of the response scenario: commands against their answers, and the columns' LEDs.</summary>
public sealed class ResponseCheckTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 22, 0, 0, TimeSpan.Zero);

    private static CommandResult Answer(Guid? id, string outcome, string community = "c001") =>
        new(id, CommandTypes.DoorOpen, outcome, null, community, "gw1", T0);

    [Fact]
    public void Every_command_is_matched_with_its_answer_and_a_bad_one_applied_is_counted()
    {
        var check = new ResponseCheck();
        var (good, replayedTwice, bad, wrong, silent) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        check.Sent(good, "c001", CommandTypes.AlarmAcknowledge, CommandOutcomes.Applied, bad: false, T0);
        check.Sent(replayedTwice, "c001", CommandTypes.AlarmDispatch, CommandOutcomes.Applied, bad: false, T0);
        check.Sent(replayedTwice, "c001", CommandTypes.AlarmDispatch, CommandOutcomes.Replayed, bad: true, T0);
        check.Sent(bad, "c001", CommandTypes.DoorOpen, CommandOutcomes.Refused, bad: true, T0);
        check.Sent(wrong, "c002", CommandTypes.DoorOpen, CommandOutcomes.Expired, bad: true, T0);
        check.Sent(silent, "c001", CommandTypes.DoorOpen, CommandOutcomes.Refused, bad: true, T0);
        check.SentUnreadable("c001");
        check.SentUnreadable("c001");
        check.AlarmRaised();

        check.Answer(Answer(good, CommandOutcomes.Applied) with { Type = CommandTypes.AlarmAcknowledge }, T0);
        check.Answer(Answer(replayedTwice, CommandOutcomes.Applied), T0);
        check.Answer(Answer(replayedTwice, CommandOutcomes.Replayed), T0);
        check.Answer(Answer(bad, CommandOutcomes.Applied), T0);
        check.Answer(Answer(wrong, CommandOutcomes.Refused, community: "c002"), T0);
        check.Answer(Answer(null, CommandOutcomes.Refused), T0);
        check.Answer(Answer(null, CommandOutcomes.Refused, community: "c003"), T0);
        check.Answer(Answer(Guid.NewGuid(), CommandOutcomes.Applied), T0);
        check.Effect(T0, T0.AddMilliseconds(3));

        var counts = check.Counts();
        Assert.Equal(8, counts.Sent);
        Assert.Equal((4L, 3L, 0L, 1L), (counts.Applied, counts.Refused, counts.Expired, counts.Replayed));
        // The silent command and one of the two unreadable ones were never answered.
        Assert.Equal(2, counts.Unanswered);
        Assert.Equal((1L, 2L), (counts.BadApplied, counts.WrongOutcome));
        Assert.Equal((1L, 1L), (counts.AlarmsRaised, counts.AlarmsAcknowledged));
        Assert.Equal(1, counts.EffectMs.Count);
        Assert.True(check.Answered(good));
        Assert.False(check.Answered(silent));
        // The wrong outcomes, the unreadable answer from a gateway nobody sent one, and the answer to nobody's command.
        Assert.Equal(4, counts.FirstProblems.Count);
        Assert.Contains(counts.FirstProblems, p => p.Contains("c003", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ColumnShows.Acknowledged, new[] { 500, 500, 500, 500, 500, 500 }, true)]
    [InlineData(ColumnShows.Acknowledged, new[] { 265, 500, 500, 500, 500, 500 }, true)]
    [InlineData(ColumnShows.Acknowledged, new[] { 150, 150, 150, 550, 150, 150, 150, 550 }, false)]
    [InlineData(ColumnShows.Acknowledged, new[] { 250, 250, 250, 250, 250, 250 }, false)]
    [InlineData(ColumnShows.Dispatched, new[] { 150, 150, 150, 550, 150, 150, 150, 550 }, true)]
    [InlineData(ColumnShows.Dispatched, new[] { 464, 150, 150, 550, 150, 150, 150, 550 }, true)]
    [InlineData(ColumnShows.Dispatched, new[] { 500, 500, 500, 500, 500, 500 }, false)]
    [InlineData(ColumnShows.Dispatched, new[] { 250, 250, 250, 250, 250, 250 }, false)]
    [InlineData(ColumnShows.Resolved, new[] { 500, 500, 500, 500 }, false)]
    public void A_column_LED_is_judged_by_how_long_it_stays_lit_and_dark(ColumnShows shows, int[] spells, bool follows)
    {
        // The pattern starts lit 200 ms after the step and toggles after each spell; one stretched spell is a stalled timer.
        var leds = new ColumnLeds();
        var at = T0.AddMilliseconds(200);
        var on = true;
        foreach (var ms in spells)
        {
            leds.Record("c001", 40, on, at);
            at = at.AddMilliseconds(ms);
            on = !on;
        }

        leds.Record("c001", 40, on, at);
        var problem = leds.Check("c001", 40, shows, T0, at.AddMilliseconds(50));

        Assert.True((problem is null) == follows, problem ?? "followed");
    }

    [Fact]
    public void A_resolved_column_is_dark_to_the_end_and_a_step_changes_the_LED_from_the_level_it_showed()
    {
        var leds = new ColumnLeds();
        leds.Record("c001", 40, true, T0.AddSeconds(-5));
        Assert.True(leds.LevelAt("c001", 40, T0));
        Assert.Null(leds.LevelAt("c001", 41, T0));
        Assert.NotNull(leds.Check("c001", 40, ColumnShows.Resolved, T0, T0.AddSeconds(2)));

        leds.Record("c001", 40, false, T0.AddMilliseconds(3));
        Assert.Equal(T0.AddMilliseconds(3), leds.FirstWriteAfter("c001", 40, T0));
        Assert.Null(leds.Check("c001", 40, ColumnShows.Resolved, T0, T0.AddSeconds(2)));
        Assert.False(ColumnLeds.FirstLevel(ColumnShows.Resolved));
        Assert.True(ColumnLeds.FirstLevel(ColumnShows.Dispatched));
    }
}
