using System.Globalization;

namespace Edge.Gateway.Configuration;

/// <summary>
/// Secrets kept out of the configuration file: every secret setting (<c>CardSecret</c>, the broker's, controllers' and
/// cameras' <c>Password</c>, an OSDP reader's <c>Scbk</c>) has a <c>…File</c> twin naming where it is read from:
/// <list type="bullet">
/// <item><c>cred:NAME</c>: a systemd credential, <c>$CREDENTIALS_DIRECTORY/NAME</c> (<c>LoadCredential=</c> in the
/// unit; readable by the service's user alone, kept in unswappable memory);</item>
/// <item>an absolute path: a file that nobody but its owner and group may read.</item>
/// </list>
/// The file's text is the secret, a trailing line end removed. Refused, each naming its key: both the setting and its
/// file set, a relative path, <c>cred:</c> without a credentials directory, a file missing, unreadable, readable by
/// others, or empty.
/// </summary>
public static class SecretFiles
{
    /// <summary>The prefix of a systemd credential's name.</summary>
    public const string CredentialPrefix = "cred:";

    /// <summary>Larger than any secret: a bigger file is not one (a certificate bundle named by mistake).</summary>
    private const long MaxBytes = 64 * 1024;

    /// <summary>
    /// Reads every <c>…File</c> of <paramref name="settings"/> into its setting, adding a message naming the key for
    /// each problem. <paramref name="credentialsDirectory"/> is systemd's <c>$CREDENTIALS_DIRECTORY</c> (null when unset).
    /// </summary>
    public static void Load(GatewaySettings settings, string? credentialsDirectory, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new Reader(credentialsDirectory, errors);
        foreach (var secret in Secrets(settings))
        {
            secret.Set(reader.Resolve(secret.Key, secret.Value, secret.File));
        }
    }

    /// <summary>The keys of secrets written into the configuration itself, for a warning at start: they belong in files.</summary>
    public static IReadOnlyList<string> Inline(GatewaySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. Secrets(settings).Where(s => !string.IsNullOrEmpty(s.Value) && s.File is null).Select(s => s.Key)];
    }

    /// <summary>A secret setting: its key, its value, its file, and how to set it.</summary>
    private sealed record Secret(string Key, string? Value, string? File, Action<string?> Set);

    /// <summary>Every secret setting of the gateway, in the order of the configuration.</summary>
    private static IEnumerable<Secret> Secrets(GatewaySettings settings)
    {
        var uplink = settings.Uplink;
        yield return new Secret($"{Uplink.UplinkOptions.Section}:Password", uplink.Password, uplink.PasswordFile, v => uplink.Password = v);
        var access = settings.AccessOrDefault;
        yield return new Secret($"{Access.AccessOptions.Section}:CardSecret", access.CardSecret, access.CardSecretFile, v => access.CardSecret = v);
        for (var i = 0; i < access.Controllers.Count; i++)
        {
            var c = access.Controllers[i];
            yield return new Secret(Key(Access.AccessOptions.Section, "Controllers", i, "Password"), c.Password, c.PasswordFile, v => c.Password = v ?? "");
        }

        for (var i = 0; i < access.OsdpReaders.Count; i++)
        {
            var r = access.OsdpReaders[i];
            yield return new Secret(Key(Access.AccessOptions.Section, "OsdpReaders", i, "Scbk"), r.Scbk, r.ScbkFile, v => r.Scbk = v);
        }

        var cameras = settings.CamerasOrDefault;
        for (var i = 0; i < cameras.Devices.Count; i++)
        {
            var c = cameras.Devices[i];
            yield return new Secret(Key(Cameras.CameraOptions.Section, "Devices", i, "Password"), c.Password, c.PasswordFile, v => c.Password = v ?? "");
        }
    }

    private static string Key(string section, string list, int index, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{section}:{list}:{index}:{name}");

    private sealed class Reader(string? credentialsDirectory, List<string> errors)
    {
        /// <summary>The secret: the setting's own value, or its file's text; the value unchanged when there is a problem (reported).</summary>
        public string? Resolve(string key, string? value, string? file)
        {
            if (file is null)
            {
                return value;
            }

            var fileKey = key + "File";
            if (!string.IsNullOrEmpty(value))
            {
                errors.Add($"{key} and {fileKey} are both set: keep one (the file)");
                return value;
            }

            var path = PathOf(fileKey, file);
            return path is null ? value : Read(fileKey, path) ?? value;
        }

        private string? PathOf(string fileKey, string file)
        {
            if (file.StartsWith(CredentialPrefix, StringComparison.Ordinal))
            {
                var name = file[CredentialPrefix.Length..];
                if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
                {
                    errors.Add($"{fileKey} '{file}' must name a credential: cred:NAME");
                    return null;
                }

                if (string.IsNullOrEmpty(credentialsDirectory))
                {
                    errors.Add($"{fileKey} '{file}' is a systemd credential, but CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit)");
                    return null;
                }

                return Path.Combine(credentialsDirectory, name);
            }

            if (!Path.IsPathFullyQualified(file))
            {
                errors.Add($"{fileKey} '{file}' must be an absolute path or cred:NAME");
                return null;
            }

            return file;
        }

        private string? Read(string fileKey, string path)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    errors.Add($"{fileKey}: {path} does not exist");
                    return null;
                }

                if (!OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.OtherRead) != 0)
                {
                    errors.Add($"{fileKey}: {path} is readable by every user of the machine (mode {Mode(info.UnixFileMode)}): chmod o-rwx it");
                    return null;
                }

                if (info.Length > MaxBytes)
                {
                    errors.Add($"{fileKey}: {path} holds {info.Length} bytes, too many for a secret");
                    return null;
                }

                var text = File.ReadAllText(path).TrimEnd('\r', '\n');
                if (text.Length == 0)
                {
                    errors.Add($"{fileKey}: {path} is empty");
                    return null;
                }

                return text;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{fileKey}: {path} cannot be read: {ex.Message}");
                return null;
            }
        }

        private static string Mode(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
    }
}
