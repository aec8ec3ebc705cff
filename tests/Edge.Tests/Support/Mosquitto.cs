using System.Diagnostics;
using System.Net.Sockets;
using Edge.Simulator.Broker;

namespace Edge.Tests.Support;

/// <summary>
/// A real Mosquitto broker on a free loopback port, with persistence in a temporary directory. Tests skip with a
/// visible reason where Mosquitto is not installed; .ci/run installs it, so CI runs them.
/// </summary>
public sealed class Mosquitto : IDisposable
{
    public const string SkipReason = "mosquitto is not installed (apt-get install mosquitto; .ci/run installs it)";

    private readonly string _config;
    private readonly string _host;
    private readonly string? _namespace;
    private Process? _process;

    private Mosquitto(string config, int port, string directory, string host, string? netns)
    {
        _config = config;
        Port = port;
        Directory = directory;
        _host = host;
        _namespace = netns;
    }

    /// <summary>The broker binary, or null when it is not installed. Debian puts it in /usr/sbin, often not on PATH.</summary>
    public static string? Binary { get; } = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" }
        .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(p => Path.Combine(p, "mosquitto")))
        .FirstOrDefault(File.Exists);

    public int Port { get; }

    public string Directory { get; }

    public string Uri => $"mqtt://{_host}:{Port}";

    /// <summary>
    /// Starts a broker; <paramref name="extraConfig"/> is appended to the generated configuration. In a network namespace
    /// (<paramref name="netns"/>) it listens on every address there, and is reached at <paramref name="host"/>.
    /// </summary>
    public static async Task<Mosquitto> StartAsync(string directory, string extraConfig = "", bool anonymous = true, string host = "127.0.0.1", string? netns = null)
    {
        Assert.SkipWhen(Binary is null, SkipReason);
        // A free port can be taken by another test before the broker binds it: then the broker exits at once, and it
        // is started again on another port (a few times at most).
        for (var attempt = 1; ; attempt++)
        {
            var port = netns is null ? StationBroker.FreePort() : 1883;
            var config = Path.Combine(directory, "mosquitto.conf");
            await File.WriteAllTextAsync(config, $"""
                listener {port} {(netns is null ? host : "0.0.0.0")}
                allow_anonymous {(anonymous ? "true" : "false")}
                user root
                persistence true
                persistence_location {directory}/
                autosave_interval 1
                max_queued_messages 0
                log_dest file {directory}/mosquitto.log
                log_type error
                log_type warning
                log_type notice
                {extraConfig}
                """);
            var broker = new Mosquitto(config, port, directory, host, netns);
            if (await broker.StartProcessAsync(retryable: netns is null && attempt < 3))
            {
                return broker;
            }

            broker.Dispose();
        }
    }

    /// <summary>Starts the broker again on the same port with the same persistence after <see cref="Stop"/>.</summary>
    public Task RestartAsync() => StartProcessAsync(retryable: false);

    /// <summary>Stops the broker: gracefully (SIGTERM, it saves its persistence) or by SIGKILL.</summary>
    public void Stop(bool kill = false)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        if (kill)
        {
            _process.Kill();
        }
        else
        {
            Signals.Terminate(_process.Id);
        }

        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Starts the process and waits until it listens. False when it exited because its port was taken meanwhile and
    /// <paramref name="retryable"/> (the caller picks another port); any other failure fails the test.
    /// </summary>
    private async Task<bool> StartProcessAsync(bool retryable)
    {
        // `ip netns exec` execs the broker, so the process is the broker itself, in its namespace.
        var start = _namespace is null
            ? new ProcessStartInfo(Binary!, $"-c {_config}")
            : new ProcessStartInfo(NetworkPartition.Ip, $"netns exec {_namespace} {Binary} -c {_config}");
        start.UseShellExecute = false;
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start");
        var deadline = Stopwatch.StartNew();
        while (!await AcceptsAsync(_host, Port))
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                var log = Path.Combine(Directory, "mosquitto.log");
                if (retryable && _process.HasExited && File.Exists(log) && File.ReadAllText(log).Contains("Address already in use", StringComparison.Ordinal))
                {
                    File.Delete(log);
                    return false;
                }

                Assert.Fail($"mosquitto did not start listening on {Port}: {(File.Exists(log) ? File.ReadAllText(log) : await _process.StandardError.ReadToEndAsync())}");
            }

            await Task.Delay(20);
        }

        return true;
    }

    private static async Task<bool> AcceptsAsync(string host, int port)
    {
        try
        {
            using var client = new TcpClient();
            using var connect = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(host, port, connect.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => Stop(kill: true);
}
