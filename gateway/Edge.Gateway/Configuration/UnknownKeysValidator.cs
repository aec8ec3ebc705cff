using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Configuration;

/// <summary>
/// Rejects keys in an options section that no property binds, so a misspelt key stops the start with its full
/// path instead of being ignored while a default is used silently.
/// </summary>
public sealed class UnknownKeysValidator<TOptions>(IConfiguration configuration, string section) : IValidateOptions<TOptions>
    where TOptions : class
{
    private static readonly HashSet<string> Known = typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .Select(p => p.Name)
        .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var unknown = configuration.GetSection(section).GetChildren()
            .Where(c => !Known.Contains(c.Key))
            .Select(c => $"{section}:{c.Key} is not a setting (known: {string.Join(", ", Known.Order())})")
            .ToList();
        return unknown.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(unknown);
    }
}
