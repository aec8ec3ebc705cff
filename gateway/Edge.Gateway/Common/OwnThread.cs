using System.Runtime.InteropServices;

namespace Edge.Gateway.Common;

/// <summary>
/// Runs a loop on a thread of its own instead of the thread pool, and blocks it while it waits. The alarm path runs so
/// (the outbox writer, the uplink's sending, the alarm adapters): on a busy box, camera alerts parsed, pictures fetched
/// and door logs read keep the pool's queue long, and an alarm must not wait in that queue at every step. The threads
/// sleep until they are woken directly by whoever hands them work, so they cost nothing while idle.
/// </summary>
public static partial class OwnThread
{
    /// <summary>
    /// The nice value the alarm path's threads take when the process may: ahead of the thread pool's (0) for the kernel's
    /// scheduler, so a woken alarm thread runs before CPU-bound camera or door work. A process may with CAP_SYS_NICE, or
    /// with RLIMIT_NICE at 30 or more (<c>LimitNICE=-10</c> in a unit, which must then also allow the
    /// <c>setpriority</c> call its <c>SystemCallFilter=</c> denies). The shipped unit allows neither (docs/architecture.md).
    /// </summary>
    public const int UrgentNice = -10;

    /// <summary>
    /// Whether the alarm path's threads run at <see cref="UrgentNice"/>: true, false when the kernel refused, null when
    /// the process may not ask (so never asks: under the shipped unit's filter the call would end the process).
    /// </summary>
    public static bool? Urgent { get; private set; }

    /// <summary>
    /// Whether threads started from now on ask for <see cref="UrgentNice"/> (true by default). A process that hosts the
    /// station's side and the devices beside its gateways (the simulator's in-process fleet) sets it false: those
    /// stand for other machines, and hundreds of gateways' threads must not starve them.
    /// </summary>
    public static bool AskUrgent { get; set; } = true;

    private static readonly Lazy<bool> MayRaise = new(() => OperatingSystem.IsLinux() && (HasSysNice() || NiceLimit() >= 20 - UrgentNice));

    /// <summary>
    /// A signal for such a thread to sleep on: it does not spin before sleeping, as a <see cref="ManualResetEventSlim"/>
    /// does by default. A thread of its own has nothing to gain from spinning, and a process hosting hundreds of
    /// gateways (the simulator) would burn its cores on it.
    /// </summary>
    public static ManualResetEventSlim NewSignal() => new(false, spinCount: 0);

    /// <summary>Starts <paramref name="loop"/> on a new background thread; the task ends as the loop does.</summary>
    public static Task Run(string name, Action loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        return Run(name, () =>
        {
            loop();
            return true;
        });
    }

    /// <summary>Starts <paramref name="loop"/> on a new background thread; the task ends with what the loop returns.</summary>
    public static Task<T> Run<T>(string name, Func<T> loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var prioritised = NewSignal();
        var thread = new Thread(() =>
        {
            TakeUrgentPriority();
            prioritised.Set();
            try
            {
                done.TrySetResult(loop());
            }
            catch (OperationCanceledException ex)
            {
                done.TrySetCanceled(ex.CancellationToken);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        // Returns once the thread has its priority, so whoever starts the alarm path can tell whether it has it.
        prioritised.Wait();
        return done.Task;
    }

    /// <summary>
    /// Blocks until <paramref name="wake"/> is set or <paramref name="time"/> reaches <paramref name="due"/> (one of its
    /// timestamps). On the system's clock the wait itself times out, on this thread: the system's timers fire on the
    /// thread pool, whose queue is what these threads keep out of. Another clock (a test's) is waited on by one of its
    /// timers, and looked at again once the timer is set, so a clock moved on meanwhile is not missed.
    /// </summary>
    public static void WaitUntil(ManualResetEventSlim wake, long due, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(wake);
        ArgumentNullException.ThrowIfNull(time);
        var left = time.GetElapsedTime(time.GetTimestamp(), due);
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        if (time == TimeProvider.System)
        {
            // Whole milliseconds, rounded up: a wait cut short by rounding would only make the caller wait again.
            wake.Wait((int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds)), ct);
            return;
        }

        using var timer = time.CreateTimer(static w => ((ManualResetEventSlim)w!).Set(), wake, left, Timeout.InfiniteTimeSpan);
        if (time.GetElapsedTime(time.GetTimestamp(), due) > TimeSpan.Zero)
        {
            wake.Wait(ct);
        }
    }

    /// <summary>The timestamp of <paramref name="time"/> <paramref name="after"/> from <paramref name="from"/>, for <see cref="WaitUntil"/>.</summary>
    public static long Due(TimeProvider time, long from, TimeSpan after)
    {
        ArgumentNullException.ThrowIfNull(time);
        return from + (long)(after.TotalSeconds * time.TimestampFrequency);
    }

    private static void TakeUrgentPriority()
    {
        if (!AskUrgent || !MayRaise.Value)
        {
            return;
        }

        // PRIO_PROCESS with a thread's id sets that thread's nice alone (Linux threads are tasks of their own).
        Urgent = SetPriority(0, GetTid(), UrgentNice) == 0;
    }

    /// <summary>CAP_SYS_NICE (bit 23) among the process's effective capabilities.</summary>
    private static bool HasSysNice()
    {
        var line = ProcLine("/proc/self/status", "CapEff:");
        return line is not null && ulong.TryParse(line.AsSpan("CapEff:".Length).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var caps) && (caps & (1UL << 23)) != 0;
    }

    /// <summary>The soft RLIMIT_NICE (20 - the lowest nice the process may take), from /proc/self/limits; 0 when unknown.</summary>
    private static int NiceLimit()
    {
        var line = ProcLine("/proc/self/limits", "Max nice priority");
        var fields = line?["Max nice priority".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 0 } && int.TryParse(fields[0], out var limit) ? limit : 0;
    }

    private static string? ProcLine(string path, string prefix)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
