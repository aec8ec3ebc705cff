using System.Diagnostics;

namespace Edge.Tests.Support;

/// <summary>Waits on a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test with <paramref name="what"/> at the deadline.</summary>
    public static async Task True(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (!condition())
        {
            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(20);
        }
    }
}
