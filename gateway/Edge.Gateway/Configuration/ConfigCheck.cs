using System.Globalization;

namespace Edge.Gateway.Configuration;

/// <summary>
/// The one way validators report a problem: each check names its full key (the section, the list element, the
/// property by <c>nameof</c>), for example <c>Edge:Alarms:Buttons:1:Pin</c>, and every problem of every section is
/// collected, so an operator sees them all at once. Checks return whether the value passed, so a validator can skip
/// what depends on it.
/// </summary>
public sealed class ConfigCheck
{
    private readonly List<string> _errors;

    /// <summary>Checks under <paramref name="key"/> (a section such as <c>Edge:Outbox</c>), collecting into a list of their own.</summary>
    public ConfigCheck(string key)
        : this(key, [])
    {
    }

    private ConfigCheck(string key, List<string> errors)
    {
        Key = key;
        _errors = errors;
    }

    /// <summary>The key these checks are under.</summary>
    public string Key { get; }

    /// <summary>Every problem found so far, here and under every key reached with <see cref="At(string)"/>.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Checks under a key below this one (<c>Devices:0</c>), reporting into the same list.</summary>
    public ConfigCheck At(string child) => new($"{Key}:{child}", _errors);

    /// <summary>Checks of element <paramref name="index"/> of the list <paramref name="list"/>.</summary>
    public ConfigCheck At(string list, int index) => At(string.Create(CultureInfo.InvariantCulture, $"{list}:{index}"));

    /// <summary>Checks under another section (a cross-section rule: <c>Edge:Hardware:Gpio</c> from the alarms), into the same list.</summary>
    public ConfigCheck Section(string section) => new(section, _errors);

    /// <summary>Reports that <paramref name="name"/> (a property, by <c>nameof</c>) is wrong: <c>{Key}:{name} {problem}</c>.</summary>
    public void Fail(string name, string problem) => _errors.Add($"{Key}:{name} {problem}");

    /// <summary>Reports a problem of the element as a whole: <c>{Key}: {problem}</c>.</summary>
    public void Fail(string problem) => _errors.Add($"{Key}: {problem}");

    /// <summary>Fails <paramref name="name"/> with <paramref name="problem"/> unless <paramref name="ok"/>.</summary>
    public bool That(bool ok, string name, string problem)
    {
        if (!ok)
        {
            Fail(name, problem);
        }

        return ok;
    }

    /// <summary><paramref name="value"/> must be set (not empty, not blank).</summary>
    public bool Required(string name, string? value, string? why = null) =>
        That(!string.IsNullOrWhiteSpace(value), name, why is null ? "is required" : $"is required ({why})");

    public bool AtLeast(string name, long value, long min) =>
        That(value >= min, name, Text($"{value} must be at least {min}"));

    public bool Range(string name, int value, int min, int max) =>
        That(value >= min && value <= max, name, Text($"{value} must be {min}-{max}"));

    public bool Range(string name, long value, long min, long max) =>
        That(value >= min && value <= max, name, Text($"{value} must be {min}-{max}"));

    public bool Range(string name, double value, double min, double max) =>
        That(value >= min && value <= max, name, Text($"{value} must be {min}-{max}"));

    public bool Range(string name, TimeSpan value, TimeSpan min, TimeSpan max) =>
        That(value >= min && value <= max, name, $"{Describe(value)} must be {Describe(min)}-{Describe(max)}");

    /// <summary><paramref name="value"/> must be one of the enum's names (a number the binder let through is not).</summary>
    public bool Defined<TEnum>(string name, TEnum value)
        where TEnum : struct, Enum =>
        That(Enum.IsDefined(value), name, $"must be {Choices(Enum.GetNames<TEnum>())}");

    /// <summary><paramref name="value"/> must be one of <paramref name="allowed"/>.</summary>
    public bool OneOf<T>(string name, T value, params T[] allowed) =>
        That(allowed.Contains(value), name, $"{value} must be {Choices(allowed.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture)!))}");

    /// <summary>A path that must name an existing file.</summary>
    public bool FileExists(string name, string? path) =>
        path is null || That(File.Exists(path), name, $"'{path}' does not exist");

    /// <summary>A duration as an operator writes it: 200 ms, 5 s, 10 min, 1 h, 1 day.</summary>
    public static string Describe(TimeSpan t) => t switch
    {
        _ when t == TimeSpan.Zero => "0",
        _ when t.TotalDays >= 1 && t.TotalDays % 1 == 0 => Text($"{t.TotalDays} day{(t.TotalDays == 1 ? "" : "s")}"),
        _ when t.TotalHours >= 1 && t.TotalHours % 1 == 0 => Text($"{t.TotalHours} h"),
        _ when t.TotalMinutes >= 1 && t.TotalMinutes % 1 == 0 => Text($"{t.TotalMinutes} min"),
        _ when t.TotalSeconds >= 1 || t.TotalMilliseconds % 1 != 0 => Text($"{t.TotalSeconds:0.###} s"),
        _ => Text($"{t.TotalMilliseconds} ms"),
    };

    private static string Choices(IEnumerable<string> names)
    {
        var all = names.ToList();
        return all.Count == 1 ? all[0] : $"{string.Join(", ", all.Take(all.Count - 1))} or {all[^1]}";
    }

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
