using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace StudyRecs.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddModelMonitoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Runs stored before triggers were recorded were all asked for by a person or an upload; read them as manual.
            migrationBuilder.AddColumn<string>(
                name: "Trigger",
                table: "TrainingRuns",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Manual");

            migrationBuilder.CreateTable(
                name: "DriftMeasurements",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ModelVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    Feature = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Psi = table.Column<double>(type: "double precision", nullable: false),
                    OutOfRangeShare = table.Column<double>(type: "double precision", nullable: false),
                    Samples = table.Column<long>(type: "bigint", nullable: false),
                    Drifted = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DriftMeasurements", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ForecastSnapshots",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StudentId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Semester = table.Column<int>(type: "integer", nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    RegressionVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    ClassificationVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    PredictedMarks = table.Column<double>(type: "double precision", nullable: false),
                    IntervalLow = table.Column<double>(type: "double precision", nullable: false),
                    IntervalHigh = table.Column<double>(type: "double precision", nullable: false),
                    IntervalLevel = table.Column<double>(type: "double precision", nullable: false),
                    PredictedGrade = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    GradeProbabilitiesJson = table.Column<string>(type: "text", nullable: false),
                    AssignmentMarks = table.Column<double>(type: "double precision", nullable: true),
                    QuizMarks = table.Column<double>(type: "double precision", nullable: true),
                    AttendancePercentage = table.Column<double>(type: "double precision", nullable: true),
                    MidtermMarks = table.Column<double>(type: "double precision", nullable: true),
                    PreviousCgpa = table.Column<double>(type: "double precision", nullable: true),
                    Source = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ForecastSnapshots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ModelTrainingProfiles",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TrainedModelId = table.Column<long>(type: "bigint", nullable: false),
                    Rows = table.Column<long>(type: "bigint", nullable: false),
                    ProfileJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ModelTrainingProfiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ModelTrainingProfiles_TrainedModelArtifacts_TrainedModelId",
                        column: x => x.TrainedModelId,
                        principalTable: "TrainedModelArtifacts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "MonitoringAlerts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Task = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    ModelVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: false),
                    Subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: false),
                    Threshold = table.Column<double>(type: "double precision", nullable: false),
                    Message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RaisedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    AcknowledgedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ResolvedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ResolvedByVersion = table.Column<string>(type: "character varying(14)", maxLength: 14, nullable: true),
                    TrainingRunId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MonitoringAlerts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MonitoringAlerts_TrainingRuns_TrainingRunId",
                        column: x => x.TrainingRunId,
                        principalTable: "TrainingRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DriftMeasurements_ModelVersion_Feature_AtUtc",
                table: "DriftMeasurements",
                columns: new[] { "ModelVersion", "Feature", "AtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_ForecastSnapshots_AtUtc",
                table: "ForecastSnapshots",
                column: "AtUtc");

            migrationBuilder.CreateIndex(
                name: "IX_ForecastSnapshots_StudentId_Semester_Subject_RegressionVers~",
                table: "ForecastSnapshots",
                columns: new[] { "StudentId", "Semester", "Subject", "RegressionVersion", "ClassificationVersion" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ModelTrainingProfiles_TrainedModelId",
                table: "ModelTrainingProfiles",
                column: "TrainedModelId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MonitoringAlerts_Kind_Task_ModelVersion_Subject",
                table: "MonitoringAlerts",
                columns: new[] { "Kind", "Task", "ModelVersion", "Subject" });

            migrationBuilder.CreateIndex(
                name: "IX_MonitoringAlerts_State_Task",
                table: "MonitoringAlerts",
                columns: new[] { "State", "Task" });

            migrationBuilder.CreateIndex(
                name: "IX_MonitoringAlerts_TrainingRunId",
                table: "MonitoringAlerts",
                column: "TrainingRunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DriftMeasurements");

            migrationBuilder.DropTable(
                name: "ForecastSnapshots");

            migrationBuilder.DropTable(
                name: "ModelTrainingProfiles");

            migrationBuilder.DropTable(
                name: "MonitoringAlerts");

            migrationBuilder.DropColumn(
                name: "Trigger",
                table: "TrainingRuns");
        }
    }
}
