using Edge.Gateway.Configuration;

namespace Edge.Gateway.TestEvents;

/// <summary>Validates <c>Edge:TestEvents</c>.</summary>
public static class TestEventOptionsValidator
{
    public static void Validate(TestEventOptions options, ConfigCheck check)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(check);
        check.That(!double.IsNaN(options.Rate) && options.Rate is >= 0 and <= 1_000_000, nameof(options.Rate),
            FormattableString.Invariant($"{options.Rate} must be 0-1000000 events per second"));
        check.AtLeast(nameof(options.Count), options.Count, 0);
        check.Defined(nameof(options.Priority), options.Priority);
    }
}
