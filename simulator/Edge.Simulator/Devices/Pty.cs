using System.Runtime.InteropServices;

namespace Edge.Simulator.Devices;

/// <summary>
/// A Linux pseudo-terminal: the simulator holds the master side and the gateway opens the slave (<see cref="Path"/>,
/// e.g. <c>/dev/pts/3</c>) as the serial port it is, through System.IO.Ports, exactly as it opens a USB RS-485 adapter.
/// </summary>
public sealed partial class Pty : IDisposable
{
    private const int OpenReadWrite = 0x2;
    private const int NoControllingTerminal = 0x100;
    private const short PollIn = 0x1;
    private int _master;

    public Pty()
    {
        _master = posix_openpt(OpenReadWrite | NoControllingTerminal);
        if (_master < 0 || grantpt(_master) != 0 || unlockpt(_master) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            Dispose();
            throw new IOException($"no pseudo-terminal: errno {error}");
        }

        var name = new byte[256];
        if (ptsname_r(_master, name, name.Length) != 0)
        {
            Dispose();
            throw new IOException("no pseudo-terminal name");
        }

        Path = System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
    }

    /// <summary>The slave's path, the serial port the gateway opens.</summary>
    public string Path { get; }

    /// <summary>
    /// Reads what the gateway wrote, waiting at most <paramref name="timeoutMs"/>: the byte count, 0 when nothing came.
    /// While nobody has the slave open, the master reads nothing.
    /// </summary>
    public int Read(byte[] buffer, int timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        var fds = new PollFd { Fd = _master, Events = PollIn };
        if (poll(ref fds, 1, timeoutMs) <= 0 || (fds.Revents & PollIn) == 0)
        {
            // Nothing, or only a hang-up (no one has the slave open): do not spin.
            if (fds.Revents != 0)
            {
                Thread.Sleep(Math.Min(timeoutMs, 20));
            }

            return 0;
        }

        var n = read(_master, buffer, buffer.Length);
        return n > 0 ? (int)n : 0;
    }

    /// <summary>Writes to the gateway's side; bytes are lost while nobody has it open, as on a bus with no one listening.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        var array = bytes.ToArray();
        var done = 0;
        while (done < array.Length)
        {
            var n = write(_master, array[done..], array.Length - done);
            if (n <= 0)
            {
                return;
            }

            done += (int)n;
        }
    }

    public void Dispose()
    {
        if (_master >= 0)
        {
            _ = close(_master);
            _master = -1;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ptsname_r(int fd, [Out] byte[] buffer, nint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, [Out] byte[] buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte[] buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
