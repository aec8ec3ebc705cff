using System.Runtime.InteropServices;

namespace Edge.Tests.Support;

/// <summary>POSIX signals for child processes (Process.Kill sends SIGKILL; a graceful stop needs SIGTERM).</summary>
public static partial class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (Kill(pid, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
