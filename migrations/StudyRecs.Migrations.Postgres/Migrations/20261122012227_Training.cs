using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Training : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ModelActivationAudits",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    FromVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: true),
                    ToVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    By = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelActivationAudits", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "TrainingRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Step = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CandidateIndex = table.Column<int>(type: "integer", nullable: false),
                    CandidateCount = table.Column<int>(type: "integer", nullable: false),
                    DatasetIdsJson = table.Column<string>(type: "text", nullable: true),
                    TrainingDatasetIdsJson = table.Column<string>(type: "text", nullable: true),
                    TriggeredBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    ResultSummary = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    Worker = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    HeartbeatAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainingRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TrainingRunId = table.Column<long>(type: "bigint", nullable: false),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Candidate = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SettingsJson = table.Column<string>(type: "text", nullable: false),
                    CvMetricsJson = table.Column<string>(type: "text", nullable: false),
                    DurationSeconds = table.Column<double>(type: "double precision", nullable: false),
                    Selected = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelRuns_TrainingRuns_TrainingRunId",
                        column: x => x.TrainingRunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TrainedModels",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Version = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Algorithm = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SettingsJson = table.Column<string>(type: "text", nullable: false),
                    MetricsJson = table.Column<string>(type: "text", nullable: false),
                    FeatureSchemaJson = table.Column<string>(type: "text", nullable: false),
                    Artifact = table.Column<byte[]>(type: "bytea", nullable: false),
                    ArtifactSha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    IsActive = table.Column<bool>(type: "boolean", nullable: false),
                    ActivatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ActivatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ActivationReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    NotActivatedReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    TrainingRunId = table.Column<long>(type: "bigint", nullable: true),
                    RowsUsed = table.Column<int>(type: "integer", nullable: false),
                    DatasetIdsJson = table.Column<string>(type: "text", nullable: false),
                    DataHash = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    DurationSeconds = table.Column<double>(type: "double precision", nullable: false),
                    SelectionMetric = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    SelectionScore = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TrainedModels", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TrainedModels_TrainingRuns_TrainingRunId",
                        column: x => x.TrainingRunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ModelActivationAudits_Task_Id",
                table: "ModelActivationAudits",
                columns: new[] { "Task", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ModelRuns_TrainingRunId_Task",
                table: "ModelRuns",
                columns: new[] { "TrainingRunId", "Task" });

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_Task_Active",
                table: "TrainedModels",
                column: "Task",
                unique: true,
                filter: "\"IsActive\" = TRUE");

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_Task_Version",
                table: "TrainedModels",
                columns: new[] { "Task", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TrainedModels_TrainingRunId",
                table: "TrainedModels",
                column: "TrainingRunId");

            migrationBuilder.CreateIndex(
                name: "IX_TrainingRuns_Status",
                table: "TrainingRuns",
                column: "Status");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ModelActivationAudits");

            migrationBuilder.DropTable(
                name: "ModelRuns");

            migrationBuilder.DropTable(
                name: "TrainedModels");

            migrationBuilder.DropTable(
                name: "TrainingRuns");
        }
    }
}
