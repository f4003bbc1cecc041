/* grid: parctl's tables on a terminal. Columns are measured in characters, not bytes
 * (Vietnamese text is mostly two-byte letters), and a cell too long for its column is
 * wrapped onto more lines, never cut: an official reads a task's whole text. */
#ifndef PAR_CLI_GRID_H
#define PAR_CLI_GRID_H

#include <stddef.h>
#include <stdio.h>

/* The terminal's width: $COLUMNS when it holds a number (at least 40), else 100. */
int grid_term_width(void);
/* The columns text takes: one a character, none for a combining mark. */
int grid_width(const char *text);
/* The lines text takes wrapped to width characters, as the tables wrap it: at spaces,
 * a word longer than the line broken at a character, its own line breaks kept. */
int grid_lines(const char *text, int width);

typedef struct {
    const char *head; /* wrapped too when the column is narrower */
    int width;        /* in characters: grid_fit sets it */
    int right;        /* aligned to the right (numbers) */
    int fixed;        /* never narrower than its widest cell (codes, numbers) */
} grid_col;

typedef struct {
    grid_col *col;
    int n;
    int gap; /* spaces between two columns */
} grid;

/* The cells of a table as it is filled, row after row (g->n a row). */
typedef struct {
    char **v;
    size_t n, cap;
} grid_cells;

void grid_cell(grid_cells *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void grid_cells_free(grid_cells *c);

/* Sets each column to its widest cell or header (cells: rows of g->n, a cell may hold
 * line breaks); when the row is wider than total, first lets headers wrap, then narrows
 * the widest columns that are not fixed, down to 8 characters. */
void grid_fit(grid *g, const char *const *cells, size_t rows, int total);
/* The table: its header, then every row of cells (cells->n / g->n rows). */
void grid_print(FILE *f, const grid *g, const grid_cells *cells);
/* The header row. */
void grid_head(FILE *f, const grid *g);
/* One row of g->n cells, each wrapped to its column: as many lines as its tallest. */
void grid_row(FILE *f, const grid *g, const char *const *cells);
/* text wrapped to width characters, every line after indent spaces. */
void grid_text(FILE *f, const char *text, int indent, int width);

#endif
