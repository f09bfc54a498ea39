using StudyRecs.Core.Resources;
using static StudyRecs.Core.Tests.Resources.ResourceTestKit;

namespace StudyRecs.Core.Tests.Resources;

public class ResourceValidatorTests
{
    private static IReadOnlyList<ResourceFieldError> Errors(ResourceInput input) => ResourceValidator.Validate(input).Errors;

    [Fact]
    public void Valid_input_is_normalised()
    {
        var (draft, errors) = ResourceValidator.Validate(Input(title: "  Limits \n explained ", subject: " Linear   Algebra ", difficulty: "Medium",
            type: "Case Study", url: "HTTPS://Example.EDU:443/Limits?x=1", minutes: "15.0", tags: "#Limits; limits, Chain Rule ,, "));

        Assert.Empty(errors);
        Assert.NotNull(draft);
        Assert.Equal("Limits explained", draft.Title);
        Assert.Equal("Linear Algebra", draft.Subject);
        Assert.Equal("linear algebra", draft.SubjectKey);
        Assert.Equal(ResourceDifficulty.Intermediate, draft.Difficulty);
        Assert.Equal(ResourceType.CaseStudy, draft.Type);
        Assert.Equal("https://example.edu/Limits?x=1", draft.Url);
        Assert.Equal(15, draft.Minutes);
        Assert.Equal(["limits", "chain rule"], draft.Tags);
    }

    [Fact]
    public void Every_missing_required_field_is_reported_at_once()
    {
        var errors = Errors(new ResourceInput());

        Assert.Equal(
            [ResourceFields.Title, ResourceFields.Subject, ResourceFields.Difficulty, ResourceFields.Type, ResourceFields.Url, ResourceFields.Minutes],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal(ResourceRules.Required, e.Rule));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://files.example.edu/notes.pdf")]
    [InlineData("/relative/path")]
    [InlineData("example.edu/no-scheme")]
    [InlineData("https://user:secret@example.edu/")]
    [InlineData("https://exa mple.edu/")]
    [InlineData("file:///etc/passwd")]
    public void Only_absolute_http_addresses_without_credentials_are_accepted(string url)
    {
        var error = Assert.Single(Errors(Input(url: url)));

        Assert.Equal(ResourceFields.Url, error.Field);
        Assert.Equal(ResourceRules.InvalidUrl, error.Rule);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    [InlineData("1441")]
    [InlineData("NaN")]
    [InlineData("1e9")]
    public void Minutes_must_be_a_whole_number_in_range(string minutes)
    {
        var error = Assert.Single(Errors(Input(minutes: minutes)));

        Assert.Equal(ResourceRules.InvalidMinutes, error.Rule);
        Assert.Contains(minutes, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("beginner", ResourceDifficulty.Beginner)]
    [InlineData("EASY", ResourceDifficulty.Beginner)]
    [InlineData("Intermediate", ResourceDifficulty.Intermediate)]
    [InlineData("hard", ResourceDifficulty.Advanced)]
    public void Difficulty_names_and_synonyms_are_understood(string text, ResourceDifficulty expected) =>
        Assert.Equal(expected, ResourceValidator.Validate(Input(difficulty: text)).Draft!.Difficulty);

    [Theory]
    [InlineData("video", ResourceType.Video)]
    [InlineData("case_study", ResourceType.CaseStudy)]
    [InlineData("casestudy", ResourceType.CaseStudy)]
    [InlineData("Problem set", ResourceType.Exercise)]
    [InlineData("QUIZ", ResourceType.Quiz)]
    public void Type_names_and_synonyms_are_understood(string text, ResourceType expected) =>
        Assert.Equal(expected, ResourceValidator.Validate(Input(type: text)).Draft!.Type);

    [Fact]
    public void Unknown_difficulty_and_type_say_what_is_allowed()
    {
        var errors = Errors(Input(difficulty: "impossible", type: "podcast"));

        Assert.Contains(errors, e => e.Rule == ResourceRules.UnknownDifficulty && e.Message.Contains("beginner, intermediate or advanced", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Rule == ResourceRules.UnknownType && e.Message.Contains("case study", StringComparison.Ordinal));
    }

    [Fact]
    public void Text_that_is_too_long_formula_like_or_has_control_characters_is_refused()
    {
        var errors = Errors(Input(title: new string('x', ResourceFields.MaxTitleLength + 1), subject: "=HYPERLINK(\"http://evil\")",
            topic: "bad\u0007bell", description: new string('d', ResourceFields.MaxDescriptionLength + 1)));

        Assert.Contains(errors, e => e.Field == ResourceFields.Title && e.Rule == ResourceRules.TooLong);
        Assert.Contains(errors, e => e.Field == ResourceFields.Subject && e.Rule == ResourceRules.Formula);
        Assert.Contains(errors, e => e.Field == ResourceFields.Topic && e.Rule == ResourceRules.ControlCharacters);
        Assert.Contains(errors, e => e.Field == ResourceFields.Description && e.Rule == ResourceRules.TooLong);
    }

    [Fact]
    public void Tags_are_limited_in_number_and_characters()
    {
        var many = string.Join(",", Enumerable.Range(0, ResourceFields.MaxTags + 1).Select(i => $"t{i}"));

        Assert.Equal(ResourceRules.InvalidTags, Assert.Single(Errors(Input(tags: many))).Rule);
        Assert.Equal(ResourceRules.InvalidTags, Assert.Single(Errors(Input(tags: "ok, <script>"))).Rule);
        Assert.Equal(ResourceRules.InvalidTags, Assert.Single(Errors(Input(tags: new string('a', ResourceFields.MaxTagLength + 1)))).Rule);
    }

    [Fact]
    public void Every_starter_catalog_entry_is_valid_and_unique()
    {
        var drafts = StarterCatalog.Entries.Select(e => ResourceValidator.Validate(e)).ToList();

        Assert.All(drafts, d => Assert.Empty(d.Errors));
        Assert.Equal(drafts.Count, drafts.Select(d => d.Draft!.Url).Distinct().Count());
        Assert.Equal(drafts.Count, drafts.Select(d => (d.Draft!.SubjectKey, ResourceText.TitleKey(d.Draft.Title))).Distinct().Count());
        Assert.All(Enum.GetValues<ResourceType>(), t => Assert.Contains(drafts, d => d.Draft!.Type == t));
    }
}
