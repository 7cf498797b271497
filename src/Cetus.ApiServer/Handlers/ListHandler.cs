using System.Text.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Tables;
using Cetus.ApiServer.Watch;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// LIST with kube-apiserver's resourceVersion rules: none → a consistent read from the datastore (paginated with
/// limit/continue at one revision); "0" or a revision → from the watch cache, at least that fresh; Exact → the
/// datastore at that revision.
/// </summary>
internal sealed class ListHandler(ObjectStore objects, WatchCache cache, TimeProvider time)
{
    private const string TooOldContinue = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    public async Task HandleAsync(ResourceRequest request)
    {
        var definition = request.Definition;
        var selection = Selection.From(request, SupportedFields(definition));
        var partial = request.WantsTable ? null : PartialMetadata.Requested(request.Http.Request);
        if (partial is { } asked)
        {
            PartialMetadata.RequireKind(request, asked, list: true);
        }

        var limit = request.QueryInt64("limit") ?? 0;
        var resourceVersion = request.ResourceVersion();
        var match = request.Query("resourceVersionMatch");
        var continueParameter = request.Query("continue");
        var prefix = StorageKeys.Prefix(definition, request.Namespace);

        List<StoredObject> items;
        long revision;
        string? continueToken = null;
        if (!string.IsNullOrEmpty(continueParameter))
        {
            if (resourceVersion is not null)
            {
                throw Problems.BadRequest("specifying resource version is not allowed when using continue");
            }

            var (tokenRevision, lastKey) = ContinueToken.Decode(continueParameter, prefix);
            (items, revision, continueToken) = await ReadPagesAsync(request, selection, limit, lastKey, tokenRevision, expiredIsContinue: true).ConfigureAwait(false);
        }
        else if (resourceVersion is null && limit == 0 && match is null
            && await cache.WaitUntilFreshAsync(await objects.CurrentRevisionAsync(request.Aborted).ConfigureAwait(false), request.Aborted).ConfigureAwait(false))
        {
            // A consistent list without pages: the watch cache, once it has caught up with the datastore's current
            // revision, holds exactly what the datastore would return (kube-apiserver's consistent reads from cache).
            // A cache that does not catch up in time leaves the list to the datastore (the branch below).
            (items, revision) = cache.List(definition, request.Namespace);
            if (!selection.IsEverything)
            {
                items = items.Where(selection.Matches).ToList();
            }
        }
        else if (resourceVersion is null || match == "Exact")
        {
            if (match is not null and not "Exact" and not "NotOlderThan")
            {
                throw Problems.BadRequest($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"");
            }

            if (match is not null && resourceVersion is null or 0)
            {
                throw Problems.BadRequest($"resourceVersionMatch \"{match}\" is forbidden for resourceVersion \"{resourceVersion}\"");
            }

            (items, revision, continueToken) = await ReadPagesAsync(request, selection, limit, null, resourceVersion ?? 0, expiredIsContinue: false).ConfigureAwait(false);
        }
        else
        {
            // resourceVersion "0" (any) or N (not older than N): the watch cache, which ignores limit as kube-apiserver's does.
            await cache.WaitUntilFreshAsync(resourceVersion.Value, request.Aborted).ConfigureAwait(false);
            (items, revision) = cache.List(definition, request.Namespace);
            if (!selection.IsEverything)
            {
                items = items.Where(selection.Matches).ToList();
            }
        }

        var rv = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = request.WantsTable
            ? TableWriter.Write(definition, items, rv, continueToken, time.GetUtcNow(), includeObject: request.Query("includeObject") ?? "Metadata")
            : partial is { } metadataOnly ? PartialMetadata.WriteList(items, metadataOnly.Version, rv, continueToken) : WriteList(request, items, rv, continueToken);
        await Responses.WriteJsonAsync(request.Http, 200, body, partial is { } served ? PartialMetadata.ContentType(served) : null).ConfigureAwait(false);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Cetus.Api.Scheme.ResourceDefinition, IReadOnlyCollection<string>> FieldNames = new();

    /// <summary>The field names a field selector may use on a kind (asked of its strategy once, with an empty object).</summary>
    internal static IReadOnlyCollection<string> SupportedFields(Cetus.Api.Scheme.ResourceDefinition definition) =>
        FieldNames.GetOrAdd(definition, d =>
        {
            var sample = (k8s.IKubernetesObject<k8s.Models.V1ObjectMeta>)Activator.CreateInstance(d.Type)!;
            sample.Metadata = new k8s.Models.V1ObjectMeta { Name = string.Empty, NamespaceProperty = string.Empty };
            return d.Strategy.SelectableFields(sample).Keys.Append("metadata.namespace").ToHashSet();
        });

    /// <summary>Reads datastore pages until <paramref name="limit"/> items match (or the end), as kube-apiserver does with selectors.</summary>
    private async Task<(List<StoredObject> Items, long Revision, string? Continue)> ReadPagesAsync(
        ResourceRequest request, Selection selection, long limit, string? after, long atRevision, bool expiredIsContinue)
    {
        var items = new List<StoredObject>();
        var revision = atRevision;
        while (true)
        {
            var want = limit == 0 ? 0 : Math.Max(limit - items.Count, selection.IsEverything ? 0 : 500);
            List<StoredObject> page;
            bool hasMore;
            string? lastKey;
            try
            {
                (page, revision, hasMore, lastKey) = await objects.ListAsync(request.Definition, request.Namespace, want, after, revision, request.Aborted).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Code == 410 && expiredIsContinue)
            {
                throw Problems.Gone(TooOldContinue);
            }

            foreach (var item in page)
            {
                if (selection.Matches(item))
                {
                    items.Add(item);
                    if (limit > 0 && items.Count == limit)
                    {
                        var more = hasMore || !ReferenceEquals(item, page[^1]);
                        return (items, revision, more ? ContinueToken.Encode(revision, item.Key) : null);
                    }
                }
            }

            if (!hasMore)
            {
                return (items, revision, null);
            }

            after = lastKey;
        }
    }

    private static byte[] WriteList(ResourceRequest request, List<StoredObject> items, string resourceVersion, string? continueToken) =>
        WriteList(request.Definition.ListKind, request.Definition.ApiVersion, items, resourceVersion, continueToken, (json, item) => json.WriteRawValue(item.Json, skipInputValidation: true));

    /// <summary>A list body: kind, apiVersion, metadata (resourceVersion, continue) and each item as <paramref name="writeItem"/> writes it.</summary>
    internal static byte[] WriteList(string kind, string apiVersion, IEnumerable<StoredObject> items, string resourceVersion, string? continueToken, Action<Utf8JsonWriter, StoredObject> writeItem)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("kind", kind);
            json.WriteString("apiVersion", apiVersion);
            json.WriteStartObject("metadata");
            json.WriteString("resourceVersion", resourceVersion);
            if (continueToken is not null)
            {
                json.WriteString("continue", continueToken);
            }

            json.WriteEndObject();
            json.WriteStartArray("items");
            foreach (var item in items)
            {
                writeItem(json, item);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
