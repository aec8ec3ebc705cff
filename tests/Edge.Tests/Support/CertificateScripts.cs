namespace Edge.Tests.Support;

/// <summary>Runs the scripts of deploy/certs as an installer would, with bash.</summary>
public static class CertificateScripts
{
    /// <summary>True where the scripts can run: Linux with openssl.</summary>
    public static bool Available => !OperatingSystem.IsWindows() && File.Exists("/usr/bin/openssl");

    public const string SkipReason = "openssl and bash on Linux are needed";

    /// <summary>
    /// The TLS part of a Mosquitto configuration as deploy/mosquitto/station.conf sets it up, on the files the scripts
    /// made in <paramref name="ca"/>: the CA, the broker's certificate, client certificates required (their CN as user
    /// name), and the CA's revocation list.
    /// </summary>
    public static string BrokerConfig(string ca) => string.Join('\n',
        $"cafile {Path.Combine(ca, "edge-ca.crt")}",
        $"certfile {Path.Combine(ca, "station-broker.crt")}",
        $"keyfile {Path.Combine(ca, "station-broker.key")}",
        "require_certificate true",
        "use_identity_as_username true",
        $"crlfile {Path.Combine(ca, "edge-ca.crl")}");

    /// <summary>Runs <paramref name="script"/> and fails the test when it fails.</summary>
    public static Task<int> RunAsync(string script, params string[] args) => RunAsync(script, expectFailure: false, args);

    /// <summary>Runs <paramref name="script"/>; returns its exit code, failing the test on a failure not expected.</summary>
    public static async Task<int> RunAsync(string script, bool expectFailure, params string[] args)
    {
        var run = await ProgramRun.RunAsync("bash", [RepoFiles.Path("deploy/certs/" + script), .. args]);
        if (!expectFailure)
        {
            run.Checked(script);
        }

        return run.Code;
    }
}
