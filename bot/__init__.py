"""Recovery-support chatbot: the shared library.

Used by the Rasa components, the actions, the channels and the staff console.
"""
