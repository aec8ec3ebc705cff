using Edge.Gateway.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Edge.Tests.Configuration;

/// <summary>Reading the <c>Edge</c> section: nothing a technician mistyped is ignored, and every problem is named at once.</summary>
public sealed class SettingsBinderTests
{
    private static readonly Dictionary<string, string?> Minimal = new()
    {
        ["Edge:Gateway:Community"] = "c001", ["Edge:Gateway:Id"] = "gw1", ["Edge:Gateway:DataDirectory"] = "/tmp/edge-binder-test",
        ["Edge:Uplink:Broker"] = "mqtt://127.0.0.1:1883",
    };

    private static IReadOnlyList<string> Failures(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string?>(Minimal);
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        try
        {
            SettingsBinder.Bind(config);
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return ex.Failures.ToList();
        }
    }

    [Fact]
    public void Minimal_settings_are_read_without_a_word() => Assert.Empty(Failures());

    [Theory]
    [InlineData("Edge:Alarms:Buttons:0:Pinn", "Edge:Alarms:Buttons:0:Pinn is not a setting")]
    [InlineData("Edge:Access:Controllers:0:Doors:0:Numbr", "Edge:Access:Controllers:0:Doors:0:Numbr is not a setting")]
    [InlineData("Edge:Alarms:Zones:0:Location:Buildng", "Edge:Alarms:Zones:0:Location:Buildng is not a setting")]
    [InlineData("Edge:Outbox:MaxByte", "Edge:Outbox:MaxByte is not a setting")]
    [InlineData("Edge:Alarm:Buttons:0:Pin", "Edge:Alarm is not a section")]
    [InlineData("Edge:Commands:StationKeys:0:PublicKeyFil", "Edge:Commands:StationKeys:0:PublicKeyFil is not a setting")]
    [InlineData("Edge:Command:StationKeys:0:Id", "Edge:Command is not a section")]
    [InlineData("Edge:Alarms:Buttons:first:Pin", "Edge:Alarms:Buttons:first is not a list index")]
    public void A_key_that_names_nothing_is_refused_with_its_full_path(string key, string message)
    {
        var failures = Failures((key, "1"));

        Assert.Contains(failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }

    /// <summary>
    /// The published gateway reads what a setting may hold from the shapes SettingsBinder names, not by walking the
    /// types: every type with settings of its own, reached from any section through properties and lists, is named.
    /// </summary>
    [Fact]
    public void Every_type_that_holds_settings_has_a_shape()
    {
        var seen = new HashSet<Type>();
        var missing = new List<string>();
        void Walk(Type type, string path)
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri) || !seen.Add(type))
            {
                return;
            }

            if (type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
            {
                Walk(element, path + ":0");
                return;
            }

            if (!SettingsBinder.Shapes.Contains(type))
            {
                missing.Add($"{path} ({type.Name})");
            }

            foreach (var p in type.GetProperties().Where(p => p.CanWrite))
            {
                Walk(p.PropertyType, $"{path}:{p.Name}");
            }

            foreach (var p in type.GetConstructors().SelectMany(c => c.GetParameters()))
            {
                Walk(p.ParameterType, $"{path}:{p.Name}");
            }
        }

        foreach (var (section, type) in SettingsBinder.Sections)
        {
            Walk(type, section);
        }

        Assert.Empty(missing);
        Assert.Contains(typeof(Edge.Contracts.Events.Location), seen);
    }

    [Fact]
    public void A_station_key_in_a_file_is_read_and_a_missing_file_is_named()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var file = Path.Combine(Path.GetTempPath(), $"edge-binder-{Guid.NewGuid():N}.pem");
        File.WriteAllText(file, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            IReadOnlyList<string> Problems(string path)
            {
                var values = new Dictionary<string, string?>(Minimal) { ["Edge:Commands:StationKeys:0:Id"] = "station-2026", ["Edge:Commands:StationKeys:0:PublicKeyFile"] = path };
                var settings = SettingsBinder.Bind(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
                Assert.Equal(path, settings.CommandsOrDefault.StationKeys.Single().PublicKeyFile);
                return settings.Validate();
            }

            Assert.Empty(Problems(file));
            Assert.Contains(Problems(file + ".missing"), f => f.StartsWith("Edge:Commands:StationKeys:0:PublicKeyFile", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_named_together_with_the_other_problems()
    {
        var failures = Failures(("Edge:Outbox:MaxBytes", "lots"), ("Edge:Uplink:MaxInFlight", "0"));

        Assert.Contains(failures, f => f.Contains("Edge:Outbox:MaxBytes", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Edge:Uplink:MaxInFlight 0 must be 1-65535", StringComparison.Ordinal));
    }

    [Fact]
    public void A_record_setting_is_read_by_its_constructor_names()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(Minimal)
        {
            ["Edge:Hardware:Gpio"] = "Bridge", ["Edge:Hardware:Bridge"] = "tcp://127.0.0.1:7100",
            ["Edge:Alarms:Zones:0:Id"] = "zone-1", ["Edge:Alarms:Zones:0:Location:Building"] = "3",
        }).Build();

        var settings = SettingsBinder.Bind(config);

        Assert.Equal("3", settings.Alarms!.Zones[0].Location!.Building);
    }
}
