using System.Diagnostics;
using System.Text;

namespace Edge.Tests.Support;

/// <summary>A real Edge executable (edge-gateway, or edge-station with <see cref="StartProgram"/>) run as a child process, configured by environment variables.</summary>
public sealed class GatewayProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "edge-gateway.dll");

    /// <summary>A machine configuration file that gives a gateway the identity c001/gw1 and nothing else.</summary>
    public static readonly Lazy<string> IdentityFile = new(() =>
    {
        var file = Path.Combine(Path.GetTempPath(), $"edge-test-identity-{Environment.ProcessId}.json");
        File.WriteAllText(file, "{ \"Edge\": { \"Gateway\": { \"Community\": \"c001\", \"Id\": \"gw1\" } } }");
        return file;
    });

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Runs the gateway (<c>edge-gateway run</c>, with <paramref name="args"/> after it).</summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => StartProgram(Dll, environment, ["run", .. args]);

    /// <summary>Another program of the build beside the tests (<c>edge-station.dll</c>).</summary>
    public static GatewayProcess StartProgram(string dll, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Keep the machine's own /etc/edge-gateway out of tests: the machine file is one that makes the gateway c001/gw1
        // (the bundled configuration has no identity), unless the test names another.
        info.Environment["EDGE_GATEWAY_CONFIG"] = IdentityFile.Value;

        // Gateways side by side on one machine would all want the default metrics port; a test that reads the
        // endpoint gives its own.
        info.Environment["Edge__Metrics__Listen"] = "";
        info.Environment["DOTNET_ENVIRONMENT"] = "Test";
        foreach (var (k, v) in environment)
        {
            info.Environment[k] = v;
        }

        return new GatewayProcess(Process.Start(info) ?? throw new InvalidOperationException("gateway did not start"));
    }

    /// <summary>SIGKILL: the process dies at once, mid-write if it was writing.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, then waits for a clean exit.</summary>
    public async Task<int> StopAsync()
    {
        Signals.Terminate(_process.Id);
        await WaitForExitAsync(TimeSpan.FromSeconds(20));
        return _process.ExitCode;
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
