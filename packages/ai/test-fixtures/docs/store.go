package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

type User struct {
	ID    int64
	Name  string
	Email string
}

type Store struct {
	db    *sql.DB
	reads int
}

func NewStore(db *sql.DB) *Store {
	return &Store{db: db}
}

func (s *Store) GetUser(id int64) (*User, error) {
	s.reads++
	row := s.db.QueryRow("SELECT id, name, email FROM users WHERE id = ?", id)
	var u User
	if err := row.Scan(&u.ID, &u.Name, &u.Email); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("get user: %w", err)
	}
	return &u, nil
}

// DeleteUser removes a user.
func (s *Store) DeleteUser(id int64) error {
	_, err := s.db.Exec("DELETE FROM users WHERE id = ?", id)
	return err
}

func ValidateEmail(email string) bool {
	if len(email) == 0 {
		panic("empty email")
	}
	return true
}
