using System.Collections;
using System.Diagnostics.CodeAnalysis;
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
    /// <summary>
    /// Every key under <paramref name="section"/> (bound to <paramref name="type"/>) that names nothing, as a message.
    /// Each type that holds settings of its own must be in <paramref name="shapes"/>.
    /// </summary>
    public static IEnumerable<string> In(IConfigurationSection section, Type type, string key, SettingShapes shapes)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(shapes);
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

                foreach (var problem in In(child, element, $"{key}:{child.Key}", shapes))
                {
                    yield return problem;
                }
            }

            yield break;
        }

        var known = shapes.Of(type);
        foreach (var child in section.GetChildren())
        {
            if (!known.TryGetValue(child.Key, out var property))
            {
                yield return $"{key}:{child.Key} is not a setting (known: {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))})";
                continue;
            }

            foreach (var problem in In(child, property, $"{key}:{child.Key}", shapes))
            {
                yield return problem;
            }
        }
    }

    private static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Uri) || type == typeof(Guid);

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var element] ? element
        : null;
}

/// <summary>
/// The types settings bind to, each with what it may hold: settable properties, and the constructor parameters of a
/// record. Added by type argument, so trimming and Native AOT keep the members read here.
/// </summary>
public sealed class SettingShapes
{
    private readonly Dictionary<Type, IReadOnlyDictionary<string, Type>> _shapes = [];

    public SettingShapes Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
    {
        var settings = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            settings[p.Name] = p.PropertyType;
        }

        foreach (var p in typeof(T).GetConstructors().SelectMany(c => c.GetParameters()).Where(p => p.Name is not null))
        {
            settings.TryAdd(p.Name!, p.ParameterType);
        }

        _shapes[typeof(T)] = settings;
        return this;
    }

    internal bool Contains(Type type) => _shapes.ContainsKey(type);

    /// <summary>What <paramref name="type"/> may hold; a type nobody added is a mistake in the gateway, not in the file.</summary>
    internal IReadOnlyDictionary<string, Type> Of(Type type) =>
        _shapes.TryGetValue(type, out var shape) ? shape
        : throw new InvalidOperationException($"{type.Name} holds settings but is not among the setting shapes (SettingsBinder.Shapes)");
}
