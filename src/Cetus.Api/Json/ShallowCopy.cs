using System.Reflection;

namespace Cetus.Api.Json;

/// <summary>
/// A field-by-field copy of a model object (<c>object.MemberwiseClone</c>): a new object whose properties refer to the
/// same values, whatever properties the model type has. For changing a few top-level fields of an object that is
/// never modified in place (the watch cache's, an informer's) without a deep copy through JSON.
/// </summary>
public static class ShallowCopy
{
    private static readonly Func<object, object> Clone = (Func<object, object>)Delegate.CreateDelegate(
        typeof(Func<object, object>), typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!);

    /// <summary>A new <typeparamref name="T"/> with the fields of <paramref name="value"/>.</summary>
    public static T Of<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return (T)Clone(value);
    }
}
