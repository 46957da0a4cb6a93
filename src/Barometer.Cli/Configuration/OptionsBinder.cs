using System.Collections;
using System.Globalization;
using System.Reflection;
using Barometer.Core.Configuration;
using Barometer.Core.Instruments;
using Microsoft.Extensions.Configuration;

namespace Barometer.Cli.Configuration;

/// <summary>
/// Binds an <see cref="IConfiguration"/> onto the options records, strictly: an unknown key or a
/// value of the wrong type is an <see cref="OptionsProblem"/> naming the key, never a silent
/// default. Lists accept a JSON array or one comma-separated string ("BTC,ETH").
/// Written here rather than using ConfigurationBinder because the binder appends to list defaults
/// and reports conversion errors without the key in a form we can show as one line.
/// </summary>
internal static class OptionsBinder
{
    public static T Bind<T>(IConfiguration configuration, List<OptionsProblem> problems, params string[] ignoredTopLevelKeys)
        where T : new()
    {
        var ignored = new HashSet<string>(ignoredTopLevelKeys, StringComparer.OrdinalIgnoreCase);
        return (T)BindObject(typeof(T), new T(), configuration.GetChildren().Where(c => !ignored.Contains(c.Key)), string.Empty, problems);
    }

    private static object BindObject(Type type, object instance, IEnumerable<IConfigurationSection> children, string prefix, List<OptionsProblem> problems)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in children)
        {
            string key = prefix.Length == 0 ? child.Key : prefix + ":" + child.Key;
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add(new(key, "unknown key"));
                continue;
            }

            key = prefix.Length == 0 ? property.Name : prefix + ":" + property.Name;
            if (TryConvert(property.PropertyType, child, key, problems, property.GetValue(instance), out object? value))
            {
                property.SetValue(instance, value);
            }
        }

        return instance;
    }

    private static bool TryConvert(Type type, IConfigurationSection section, string key, List<OptionsProblem> problems, object? current, out object? value)
    {
        value = null;
        if (TryScalar(type, section.Value, out value, out string? scalarProblem))
        {
            return true;
        }

        if (scalarProblem is not null)
        {
            problems.Add(new(key, scalarProblem));
            return false;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var elementType = type.GetGenericArguments()[0];
            var items = section.Value is not null
                ? section.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select((v, i) => (Key: i.ToString(CultureInfo.InvariantCulture), Value: (string?)v)).ToList()
                : section.GetChildren().Select(c => (c.Key, c.Value)).ToList();
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            bool ok = true;
            foreach (var (itemKey, itemValue) in items)
            {
                if (TryScalar(elementType, itemValue, out var item, out string? problem) )
                {
                    list.Add(item);
                }
                else
                {
                    problems.Add(new(key + ":" + itemKey, problem ?? "expected a single value"));
                    ok = false;
                }
            }

            value = list;
            return ok;
        }

        if (type == typeof(IReadOnlyDictionary<string, double>))
        {
            var map = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            bool ok = true;
            foreach (var child in section.GetChildren())
            {
                if (TryScalar(typeof(double), child.Value, out var number, out string? problem))
                {
                    map[child.Key] = (double)number!;
                }
                else
                {
                    problems.Add(new(key + ":" + child.Key, problem ?? "expected a number"));
                    ok = false;
                }
            }

            value = map;
            return ok;
        }

        if (type.IsClass && type != typeof(string))
        {
            if (section.Value is not null)
            {
                problems.Add(new(key, "expected a section, not a single value"));
                return false;
            }

            object target = CloneOrCreate(type, current);
            value = BindObject(type, target, section.GetChildren(), key, problems);
            return true;
        }

        problems.Add(new(key, $"unsupported option type {type.Name}"));
        return false;
    }

    private static object CloneOrCreate(Type type, object? current)
    {
        if (current is not null)
        {
            // Records: the compiler-generated <Clone>$ keeps defaults of keys not given.
            var clone = type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance);
            if (clone is not null)
            {
                return clone.Invoke(current, null)!;
            }
        }

        return Activator.CreateInstance(type)!;
    }

    private static bool TryScalar(Type type, string? text, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        bool scalar = type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(double)
            || type == typeof(bool) || type == typeof(VenueId) || type.IsEnum;
        if (!scalar)
        {
            return false;
        }

        if (text is null)
        {
            problem = "expected a single value, not a section";
            return false;
        }

        var invariant = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            value = text;
        }
        else if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, invariant, out int i))
        {
            value = i;
        }
        else if (type == typeof(long) && long.TryParse(text, NumberStyles.Integer, invariant, out long l))
        {
            value = l;
        }
        else if (type == typeof(double) && double.TryParse(text, NumberStyles.Float, invariant, out double d) && double.IsFinite(d))
        {
            value = d;
        }
        else if (type == typeof(bool) && bool.TryParse(text, out bool b))
        {
            value = b;
        }
        else if (type == typeof(VenueId) && VenueIds.TryParse(text, out var venue))
        {
            value = venue;
        }
        else if (type.IsEnum && type != typeof(VenueId) && Enum.TryParse(type, text, ignoreCase: true, out var e) && Enum.IsDefined(type, e!))
        {
            value = e;
        }
        else
        {
            problem = type == typeof(VenueId)
                ? $"'{text}' is not a venue (expected one of {string.Join(", ", VenueIds.All.Select(v => v.ToWireName()))})"
                : $"'{text}' is not a valid {Describe(type)}";
            return false;
        }

        return true;
    }

    private static string Describe(Type type) =>
        type == typeof(int) || type == typeof(long) ? "whole number" :
        type == typeof(double) ? "number" :
        type == typeof(bool) ? "boolean (true or false)" :
        type.IsEnum ? $"value (expected one of {string.Join(", ", Enum.GetNames(type))})" : type.Name;
}
