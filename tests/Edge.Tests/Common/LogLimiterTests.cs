using Edge.Gateway.Common;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Common;

public sealed class LogLimiterTests
{
    [Fact]
    public void One_line_per_interval_passes_and_the_rest_are_counted()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogLimiter(time, TimeSpan.FromSeconds(10));

        Assert.True(limiter.TryEnter(out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 5; i++)
        {
            Assert.False(limiter.TryEnter(out _));
        }

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(limiter.TryEnter(out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryEnter(out var suppressed));
        Assert.Equal(6, suppressed);
    }
}
