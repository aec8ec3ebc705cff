using System.Diagnostics;

namespace Edge.Benchmarks.Uplink;

/// <summary>Holds a producer to a steady rate (events per second); a rate of 0 means as fast as possible.</summary>
internal sealed class Pace(double rate)
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public async ValueTask WaitAsync(long n)
    {
        if (rate <= 0)
        {
            return;
        }

        var due = TimeSpan.FromSeconds((n - 1) / rate) - Stopwatch.GetElapsedTime(_start);
        if (due > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(due).ConfigureAwait(false);
        }
    }
}
