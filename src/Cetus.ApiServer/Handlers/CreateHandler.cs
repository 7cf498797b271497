using Cetus.Api.Scheme;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using k8s;
using k8s.Models;

namespace Cetus.ApiServer.Handlers;

/// <summary>POST to a collection: decode, set server fields, prepare, default, validate, store (unless dryRun).</summary>
internal sealed class CreateHandler(ObjectStore objects, ResourceRegistry registry, Watch.WatchCache cache, Authorization.RbacWriteGuard guard, Admission.PriorityAdmission priority, Admission.ServiceAccountAdmission serviceAccounts, Admission.Certificates.CertificateAdmission certificates, Services.ServiceAllocator allocator, TimeProvider time)
{
    private const int MaxNameGenerationAttempts = 8;

    public async Task HandleAsync(ResourceRequest request)
    {
        var mediaType = MediaTypes.Of(request.Http.Request.ContentType);
        if (mediaType is not (MediaTypes.Json or MediaTypes.Yaml or MediaTypes.Protobuf))
        {
            throw Problems.UnsupportedMediaType(MediaTypes.AcceptedBodies);
        }

        var dryRun = request.DryRun;
        var body = await BodyReader.ReadAsync(request.Http).ConfigureAwait(false);
        var item = BodyReader.DecodeObject(request, BodyReader.ParseNode(body, mediaType, request.Duplicates), request.Definition, mediaType == MediaTypes.Json ? body : null);
        item = FieldManagement.RecordUpdate(request, null, item, FieldManagement.Manager(request), ObjectMetadata.Truncate(time.GetUtcNow()));
        var created = await CreateAsync(request, item, dryRun).ConfigureAwait(false);
        request.SendWarnings();
        await Responses.WriteJsonAsync(request.Http, 201, created).ConfigureAwait(false);
    }

    /// <summary>The create path, shared with PUT-creates and server-side apply of a missing object. Returns the wire JSON.</summary>
    public async Task<byte[]> CreateAsync(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, bool dryRun)
    {
        var definition = request.Definition;
        var generateName = string.IsNullOrEmpty(item.Metadata.Name) ? item.Metadata.GenerateName : null;
        ObjectMetadata.PrepareForCreate(definition, item, request.Namespace, time.GetUtcNow());
        Audit.AuditEntries.NameCreatedObject(request.Http, item.Metadata.Name);
        if (definition.Namespaced)
        {
            await RequireActiveNamespaceAsync(request, item.Metadata.NamespaceProperty, item.Metadata.Name).ConfigureAwait(false);
        }

        ObjectMetadata.Guard(definition, () =>
        {
            definition.Strategy.PrepareForCreate(item);
            if (Authentication.UserOf(request.Http) is { } user)
            {
                definition.Strategy.RecordRequester(item, new Cetus.Api.Scheme.Requester(user.Name, user.Uid, user.Groups, user.Extra));
            }

            definition.Strategy.Default(item);
            return true;
        });
        await serviceAccounts.AdmitAsync(request, item, null).ConfigureAwait(false);
        await priority.AdmitAsync(request, item, null).ConfigureAwait(false);
        var errors = ObjectMetadata.Guard(definition, () => definition.Strategy.ValidateCreate(item));
        ObjectMetadata.ThrowIfInvalid(definition, item.Metadata.Name, errors);
        guard.Check(request, item, null);
        certificates.Admit(request, item, null);
        using var allocation = await allocator.AllocateAsync(request, item, null, dryRun).ConfigureAwait(false);
        if (dryRun)
        {
            return Cetus.Api.Json.KubeJson.Serialize(item, definition.Type);
        }

        var stored = await StoreAsync(request, item, generateName).ConfigureAwait(false);
        allocation.Commit(stored.Revision);
        return stored.Json;
    }

    // A generated name can collide with an existing one (27^5 suffixes): as kube-apiserver (RetryGenerateName, GA in
    // 1.31), a new suffix is tried, up to 8 attempts in all, before the client sees 409 AlreadyExists.
    private async Task<StoredObject> StoreAsync(ResourceRequest request, IKubernetesObject<V1ObjectMeta> item, string? generateName)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await objects.CreateAsync(request.Definition, item, request.Aborted).ConfigureAwait(false);
            }
            catch (ApiException e) when (e.Code == 409 && !string.IsNullOrEmpty(generateName) && attempt < MaxNameGenerationAttempts)
            {
                item.Metadata.Name = ObjectMetadata.GenerateName(generateName);
                Audit.AuditEntries.NameCreatedObject(request.Http, item.Metadata.Name);
            }
        }
    }

    private async Task RequireActiveNamespaceAsync(ResourceRequest request, string ns, string name)
    {
        var namespaces = registry.Find(string.Empty, "v1", "namespaces")!;
        // The cache answers almost always; a namespace created a moment ago may not have reached it yet.
        var found = cache.Get(namespaces, StorageKeys.Key(namespaces, string.Empty, ns))
            ?? await objects.GetAsync(namespaces, string.Empty, ns, request.Aborted).ConfigureAwait(false)
            ?? throw Problems.NotFound(string.Empty, "namespaces", ns);
        if (found.Item.Metadata.DeletionTimestamp is not null)
        {
            // The namespace lifecycle admission plugin's answer, with its NamespaceTerminating cause.
            throw Problems.Forbidden(
                request.Definition.Group,
                request.Definition.Plural,
                name,
                $"unable to create new content in namespace {ns} because it is being terminated",
                new V1StatusCause { Reason = "NamespaceTerminating", Message = $"namespace {ns} is being terminated", Field = "metadata.namespace" });
        }
    }
}
