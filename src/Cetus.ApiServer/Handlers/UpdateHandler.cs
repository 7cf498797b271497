using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// PUT of an object or its status: compare-and-swap on the resourceVersion in the body (409 when stale; none means
/// last write wins), the strategy's update rules, and no write at all when nothing changed.
/// </summary>
internal sealed class UpdateHandler(ObjectStore objects, Watch.WatchCache cache, CreateHandler creator, Authorization.RbacWriteGuard guard, Admission.PriorityAdmission priority, Admission.Certificates.CertificateAdmission certificates, Services.ServiceAllocator allocator, TimeProvider time)
{
    public async Task HandleAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.Json or MediaTypes.Yaml or MediaTypes.Protobuf))
        {
            throw Problems.UnsupportedMediaType(MediaTypes.AcceptedBodies);
        }

        var dryRun = request.DryRun;
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var node = BodyReader.ParseNode(body, mediaType, request.Duplicates);
        var manager = FieldManagement.Manager(request);
        IKubernetesObject<V1ObjectMeta> DecodeBody()
        {
            var item = BodyReader.DecodeObject(request, node, request.Definition);
            if (item.Metadata.Name != request.Name)
            {
                throw Problems.BadRequest($"the name of the object ({item.Metadata.Name}) does not match the name on the URL ({request.Name})");
            }

            ObjectMetadata.SetNamespace(request.Definition, item.Metadata, request.Namespace);
            return item;
        }

        // A bad body is a 400 before anything is read. The first attempt takes this object; a later one decodes the
        // body afresh, since an attempt changes the object it works on.
        IKubernetesObject<V1ObjectMeta>? decoded = DecodeBody();
        IKubernetesObject<V1ObjectMeta> Decode(StoredObject? current)
        {
            var item = decoded ?? DecodeBody();
            decoded = null;
            return FieldManagement.RecordUpdate(request, current, item, manager, ObjectMetadata.Truncate(time.GetUtcNow()));
        }

        var (json, created) = await UpdateAsync(request, Decode, dryRun, allowCreate: request.Definition.AllowCreateOnUpdate && request.Info.Subresource.Length == 0).ConfigureAwait(false);
        request.SendWarnings();
        await Responses.WriteJsonAsync(request.Http, created ? 201 : 200, json).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the current object, builds the new one from it, and writes it if unchanged meanwhile — retrying with a
    /// fresh read when the new object carries no resourceVersion of its own (kube-apiserver's GuaranteedUpdate).
    /// As kube-apiserver's cacher, the first attempt starts from the watch cache's copy of the object, which spares
    /// reading and decoding it: a compare-and-swap that succeeds proves the copy was current; any other outcome
    /// (an error, a conflict, nothing to write) stands only once the datastore confirms the copy's revision, and is
    /// otherwise decided again on a fresh read.
    /// </summary>
    public async Task<(byte[] Json, bool Created)> UpdateAsync(
        ResourceRequest request, Func<StoredObject?, IKubernetesObject<V1ObjectMeta>> build, bool dryRun, bool allowCreate)
    {
        var definition = request.Definition;
        var key = StorageKeys.Key(definition, request.Namespace, request.Name);
        for (var attempt = 0; ; attempt++)
        {
            var cached = attempt == 0 ? cache.Get(definition, key) : null;
            var current = cached ?? await objects.GetAsync(definition, request.Namespace, request.Name, request.Aborted).ConfigureAwait(false);
            if (current is null)
            {
                if (!allowCreate)
                {
                    throw Problems.NotFound(definition.Group, definition.Plural, request.Name);
                }

                var fresh = build(null);
                return (await creator.CreateAsync(request, fresh, dryRun).ConfigureAwait(false), true);
            }

            Outcome outcome;
            try
            {
                outcome = await TryWriteAsync(request, current, build, dryRun).ConfigureAwait(false);
            }
            catch (ApiException) when (cached is not null)
            {
                if (await objects.RevisionAsync(definition, key, request.Aborted).ConfigureAwait(false) == cached.Revision)
                {
                    throw;
                }

                continue;
            }

            if (outcome.Json is { } json
                && (outcome.Written || cached is null || await objects.RevisionAsync(definition, key, request.Aborted).ConfigureAwait(false) == cached.Revision))
            {
                return (json, false);
            }

            if (outcome.Json is null && cached is null && (outcome.Preconditioned || attempt >= 16))
            {
                throw Problems.Conflict(definition.Group, definition.Plural, request.Name);
            }
        }
    }

    // One attempt on `current`: the object written (Written), or the object as it would be when there is nothing to
    // write (no change, dry run), or no JSON when the compare-and-swap lost to another write (Preconditioned: the
    // client's own resourceVersion made it one).
    private async Task<Outcome> TryWriteAsync(ResourceRequest request, StoredObject current, Func<StoredObject?, IKubernetesObject<V1ObjectMeta>> build, bool dryRun)
    {
        var definition = request.Definition;
        var status = request.Info.Subresource == "status";
        // A CSR's /approval changes its conditions only: like a status write, metadata stays as stored.
        var approval = request.Info.Subresource == "approval";
        // Server-side apply keeps its own record (an Apply entry); through status it is not recorded yet.
        var applied = MediaTypes.Of(request.Http.Request.ContentType) == MediaTypes.ApplyPatch;
        var item = build(current);
        var precondition = item.Metadata.ResourceVersion;
        if (!string.IsNullOrEmpty(precondition) && precondition != current.Item.Metadata.ResourceVersion)
        {
            throw Problems.Conflict(definition.Group, definition.Plural, request.Name);
        }

        var old = current.Item;
        var errors = ObjectMetadata.Guard(definition, () =>
        {
            if (request.Info.Subresource == "finalize" && item is V1Namespace ns && old is V1Namespace oldNs)
            {
                var finalizeErrors = NamespaceDeletion.Finalize(ns, oldNs);
                if (finalizeErrors.Count > 0)
                {
                    return finalizeErrors;
                }
            }
            else if (status || approval)
            {
                // Defaults apply to the body as sent (kube-apiserver defaults while decoding). Then a status write
                // changes status only: everything else stays as stored, the stored spec itself, which nothing may
                // change now (it may be the watch cache's copy).
                definition.Strategy.Default(item);
                item.Metadata = KubeJson.Deserialize<V1ObjectMeta>(KubeJson.Serialize(old.Metadata))!;
                if (approval)
                {
                    definition.Strategy.PrepareForApprovalUpdate(item, old);
                }
                else
                {
                    definition.Strategy.PrepareForStatusUpdate(item, old);
                }
            }
            else
            {
                ObjectMetadata.PrepareForUpdate(definition, item, old);
                definition.Strategy.PrepareForUpdate(item, old);
            }

            // An unconditional update is made against the version just read (validation expects it set).
            item.Metadata.ResourceVersion = current.Item.Metadata.ResourceVersion;
            if (!status && !approval)
            {
                definition.Strategy.Default(item);
            }

            if ((status || approval) && !applied)
            {
                // Now that everything but status is as stored, the writer owns just what it changed in it.
                item = FieldManagement.RecordSubresourceUpdate(request, current, item, ObjectMetadata.Truncate(time.GetUtcNow()));
            }

            return definition.Strategy.ValidateUpdate(item, old);
        });
        ObjectMetadata.ThrowIfInvalid(definition, request.Name, errors);
        if (!status && !approval)
        {
            await priority.AdmitAsync(request, item, old).ConfigureAwait(false);
            guard.Check(request, item, old);
        }
        else
        {
            Authorization.RbacWriteGuard.CheckStatus(request, item, old);
        }

        certificates.Admit(request, item, old);

        using var allocation = await allocator.AllocateAsync(request, item, old, dryRun).ConfigureAwait(false);
        var json = KubeJson.Serialize(item, definition.Type);
        if (json.AsSpan().SequenceEqual(current.Json) || dryRun)
        {
            // Nothing changed: no write, no new resourceVersion, no watch event.
            return new Outcome(json, Written: false, Preconditioned: false);
        }

        if (!status && !approval && NamespaceDeletion.ShouldDeleteDuringUpdate(item))
        {
            // The last finalizer was removed from an object being deleted (for a namespace, from both of its
            // lists): it goes now.
            if (await objects.TryDeleteAsync(definition, current, request.Aborted).ConfigureAwait(false))
            {
                return new Outcome(json, Written: true, Preconditioned: false);
            }
        }
        else if (await objects.TryUpdateAsync(definition, current.Key, item, current.Revision, request.Aborted).ConfigureAwait(false) is { } stored)
        {
            allocation.Commit(stored.Revision);
            return new Outcome(stored.Json, Written: true, Preconditioned: false);
        }

        return new Outcome(null, Written: false, Preconditioned: !string.IsNullOrEmpty(precondition));
    }

    private readonly record struct Outcome(byte[]? Json, bool Written, bool Preconditioned);
}
