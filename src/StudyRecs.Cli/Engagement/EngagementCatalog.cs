namespace StudyRecs.Cli.Engagement;

/// <summary>The subjects and topics the synthetic engagement data is drawn from, with keywords for resource text.</summary>
internal static class EngagementCatalog
{
    public sealed record Subject(string Name, double Weight, string[] Topics, string[] Keywords);

    public static readonly Subject[] Subjects =
    [
        new("Calculus", 1.6, ["Limits", "Derivatives", "Integrals", "Series", "Differential Equations", "Multivariable Calculus"], ["function", "rate", "area", "continuity", "slope"]),
        new("Linear Algebra", 1.1, ["Vectors", "Matrices", "Determinants", "Eigenvalues", "Vector Spaces", "Orthogonality"], ["matrix", "basis", "transformation", "span", "rank"]),
        new("Statistics", 1.4, ["Descriptive Statistics", "Probability", "Distributions", "Hypothesis Testing", "Regression", "Bayesian Inference"], ["data", "variance", "sample", "estimate", "model"]),
        new("Physics", 1.3, ["Kinematics", "Dynamics", "Energy", "Waves", "Electromagnetism", "Thermodynamics"], ["force", "motion", "field", "experiment", "units"]),
        new("Chemistry", 1.0, ["Atomic Structure", "Chemical Bonding", "Stoichiometry", "Thermochemistry", "Organic Chemistry", "Equilibrium"], ["reaction", "molecule", "element", "solution", "lab"]),
        new("Biology", 1.0, ["Cell Biology", "Genetics", "Evolution", "Ecology", "Physiology", "Molecular Biology"], ["cell", "organism", "gene", "protein", "system"]),
        new("Programming", 1.7, ["Variables and Types", "Control Flow", "Functions", "Data Structures", "Algorithms", "Object-Oriented Design"], ["code", "python", "debugging", "loop", "program"]),
        new("Databases", 0.8, ["Relational Model", "SQL Queries", "Normalization", "Indexing", "Transactions", "NoSQL"], ["table", "query", "schema", "key", "join"]),
        new("Economics", 0.9, ["Supply and Demand", "Market Structures", "Macroeconomics", "Monetary Policy", "Game Theory", "Trade"], ["market", "price", "policy", "growth", "incentive"]),
        new("History", 0.7, ["Ancient World", "Middle Ages", "Early Modern Europe", "Industrial Revolution", "World Wars", "Cold War"], ["source", "century", "empire", "revolution", "society"]),
        new("Literature", 0.6, ["Poetry", "Novel", "Drama", "Literary Theory", "Modernism", "Close Reading"], ["text", "author", "narrative", "theme", "style"]),
        new("Academic Writing", 0.9, ["Essay Structure", "Citations", "Argumentation", "Research Methods", "Editing", "Presentations"], ["essay", "thesis", "evidence", "paragraph", "draft"]),
    ];

    public static readonly string[] Difficulties = ["beginner", "intermediate", "advanced"];

    /// <summary>Beginner-heavy, as in the original design's catalog.</summary>
    public static readonly double[] DifficultyWeights = [0.55, 0.30, 0.15];

    public static readonly string[] Types = ["video", "article", "quiz", "exercise", "case study"];

    public static readonly double[] TypeWeights = [0.40, 0.25, 0.15, 0.12, 0.08];

    public static readonly int[] TypeMinutes = [12, 15, 10, 25, 40];

    public static readonly string[] TitleTemplates =
    [
        "Introduction to {0}", "{0} explained", "{0}: worked examples", "Practice set: {0}", "{0} in ten minutes",
        "Common mistakes in {0}", "{0} step by step", "Deep dive into {0}", "{0} cheat sheet", "Exam preparation: {0}",
    ];

    /// <summary>Learning styles, as in the original design's user profiles, and the resource types each prefers.</summary>
    public static readonly string[] LearningStyles = ["visual", "reading", "hands-on"];

    /// <summary>Draw weight of each type (columns as <see cref="Types"/>) for each learning style (rows).</summary>
    public static readonly double[][] StyleTypeAffinity =
    [
        [4.0, 0.6, 0.8, 0.6, 1.0],
        [0.6, 4.0, 0.6, 0.6, 2.5],
        [0.8, 0.6, 3.5, 4.0, 1.0],
    ];

    public static readonly string[] Programs = ["Computer Science", "Engineering", "Natural Sciences", "Business", "Humanities", "Mathematics"];
}
