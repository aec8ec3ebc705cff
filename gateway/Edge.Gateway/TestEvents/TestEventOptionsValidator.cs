using Microsoft.Extensions.Options;

namespace Edge.Gateway.TestEvents;

/// <summary>Validates <c>Edge:TestEvents</c>; every message names the key.</summary>
public sealed class TestEventOptionsValidator : IValidateOptions<TestEventOptions>
{
    public ValidateOptionsResult Validate(string? name, TestEventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = TestEventOptions.Section;
        if (double.IsNaN(options.Rate) || options.Rate < 0 || options.Rate > 1_000_000)
        {
            errors.Add($"{s}:Rate {options.Rate} must be 0-1000000 events per second");
        }

        if (options.Count < 0)
        {
            errors.Add($"{s}:Count {options.Count} must not be negative");
        }

        if (!Enum.IsDefined(options.Priority))
        {
            errors.Add($"{s}:Priority must be Critical, High, Normal or Low");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
