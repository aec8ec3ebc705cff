using Edge.Gateway.Common;

namespace Edge.Tests.Common;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_double_within_jitter_up_to_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(1));

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        double[] ceilings = [100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000, 2000];
        for (var i = 0; i < delays.Count; i++)
        {
            Assert.InRange(delays[i], ceilings[i] / 2, ceilings[i]);
        }
    }

    [Fact]
    public void Reset_goes_back_to_the_shortest_delay()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(2));
        for (var i = 0; i < 8; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void Jitter_spreads_gateways_that_reconnect_together()
    {
        var delays = Enumerable.Range(0, 50)
            .Select(seed => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), new Random(seed)).Next())
            .Distinct()
            .Count();

        Assert.True(delays > 40, $"only {delays} distinct first delays among 50 gateways");
    }
}
