using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Edge.Gateway.Configuration;

/// <summary>
/// Finds keys in a configuration section that no setting binds, at any depth (a list element's misspelt key too), so a
/// mistake stops the start with its full path instead of being ignored while a default is used.
/// </summary>
public static class UnknownKeys
{
    /// <summary>Every key under <paramref name="section"/> (bound to <paramref name="type"/>) that names nothing, as a message.</summary>
    public static IEnumerable<string> In(IConfigurationSection section, Type type, string key)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(type);
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsValue(type))
        {
            yield break;
        }

        if (ElementType(type) is { } element)
        {
            foreach (var child in section.GetChildren())
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    yield return $"{key}:{child.Key} is not a list index (the setting is a list: {key}:0, {key}:1, ...)";
                    continue;
                }

                foreach (var problem in In(child, element, $"{key}:{child.Key}"))
                {
                    yield return problem;
                }
            }

            yield break;
        }

        var known = Settings(type);
        foreach (var child in section.GetChildren())
        {
            if (!known.TryGetValue(child.Key, out var property))
            {
                yield return $"{key}:{child.Key} is not a setting (known: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))})";
                continue;
            }

            foreach (var problem in In(child, property, $"{key}:{child.Key}"))
            {
                yield return problem;
            }
        }
    }

    /// <summary>What a section may hold: settable properties, and the constructor parameters of a record.</summary>
    private static Dictionary<string, Type> Settings(Type type)
    {
        var settings = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            settings[p.Name] = p.PropertyType;
        }

        foreach (var p in type.GetConstructors().SelectMany(c => c.GetParameters()).Where(p => p.Name is not null))
        {
            settings.TryAdd(p.Name!, p.ParameterType);
        }

        return settings;
    }

    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element
        : null;
}
