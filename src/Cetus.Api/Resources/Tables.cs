using Cetus.Api.Scheme;

namespace Cetus.Api.Resources;

/// <summary>The Table columns of each kind: its own where it has them (in its folder), else Name and Created At.</summary>
internal static class Tables
{
    private static readonly Dictionary<Type, ITableConvertor> ByType = [];

    public static ITableConvertor For(Type type) => ByType.TryGetValue(type, out var table) ? table : DefaultTableConvertor.Instance;
}
