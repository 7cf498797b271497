using Cetus.Api.Scheme;

namespace Cetus.Api.Resources.Printing;

/// <summary>Building blocks of column definitions; descriptions are the OpenAPI field descriptions, as upstream's.</summary>
internal static class Columns
{
    public const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public const string CreationTimestampDescription =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public const string ContainersDescription = "Names of each container in the template.";

    public const string ImagesDescription = "Images referenced by each container in the template.";

    /// <summary>The object's name, in the <c>name</c> format kubectl keys on.</summary>
    public static TableColumn Name(int priority = 0) => new("Name", "string", "name", NameDescription, priority);

    /// <summary>The object's age, e.g. <c>5m</c>.</summary>
    public static TableColumn Age() => Text("Age", CreationTimestampDescription);

    public static TableColumn Text(string name, string description, int priority = 0) => new(name, "string", string.Empty, description, priority);

    public static TableColumn Integer(string name, string description, int priority = 0) => new(name, "integer", string.Empty, description, priority);
}
