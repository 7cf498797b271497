using Cetus.Storage.Etcd;
using Cetus.Storage.Sqlite;

namespace Cetus.Storage;

/// <summary>Opens the datastore a <c>--datastore</c> value names.</summary>
public static class Datastore
{
    /// <summary>The value's forms, for help texts and errors.</summary>
    public const string Forms = "sqlite:///path/to/state.db (the default, embedded) or etcd://host:port[,host:port…]";

    /// <summary>
    /// Opens <c>sqlite:///absolute/path</c> (or <c>sqlite://relative/path</c>) or connects to
    /// <c>etcd://host:port[,host:port…]</c>.
    /// </summary>
    public static IStore Open(string datastore, StoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(datastore);
        var separator = datastore.IndexOf("://", StringComparison.Ordinal);
        var scheme = separator < 0 ? string.Empty : datastore[..separator];
        var rest = separator < 0 ? string.Empty : datastore[(separator + 3)..];
        switch (scheme)
        {
            case "sqlite" when rest.Length > 0:
                return SqliteStore.Open(rest, options);
            case "etcd" when rest.Length > 0:
                var endpoints = rest.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (endpoints.Length == 0 || endpoints.Any(e => !e.Contains(':', StringComparison.Ordinal)))
                {
                    throw Invalid(datastore, "each etcd endpoint is host:port");
                }

                return EtcdStore.Connect(endpoints, options);
            default:
                throw Invalid(datastore, "unknown or missing scheme");
        }
    }

    private static StoreException Invalid(string value, string why) =>
        new(StoreError.InvalidArgument, $"--datastore '{value}': {why}; use {Forms}");
}
