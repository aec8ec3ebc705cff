using Edge.Contracts.Topics;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>Validates <c>Edge:Gateway</c>; every message names the key.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string s = GatewayOptions.Section;
        if (!TopicSegment.IsValid(options.Community))
        {
            errors.Add($"{s}:Community '{options.Community}' must be 1-{TopicSegment.MaxLength} letters, digits, '-' or '_'");
        }

        if (!TopicSegment.IsValid(options.Id))
        {
            errors.Add($"{s}:Id '{options.Id}' must be 1-{TopicSegment.MaxLength} letters, digits, '-' or '_'");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add($"{s}:DataDirectory must be set");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
